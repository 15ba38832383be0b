import {
  codecFor,
  RECORDS,
  writeBatchHeader,
  writeZigzagBytes as writeBytes,
  writeZigzagVarint as writeVarint,
  writeZigzagVarlongNumber as writeVarlong,
  zigzagVarintSize as varintSize,
  zigzagVarlongNumberSize as varlongSize,
  type CompressionCodec,
} from '../../record/index.js';
import type { Acks } from './options.js';
import type { PreparedRecords } from './prepare.js';
import { encodedBodySize } from './record-bytes.js';
import type { SendCall } from './send-call.js';

/**
 * One partition's RecordBatch v2 under construction, written record by record straight into
 * its own buffer as `send` appends (as Kafka's MemoryRecordsBuilder does), so closing it is
 * only the 61-byte header, one CRC-32C and, if configured, one compression of the records
 * section: no second pass over the records and no per-record objects.
 *
 * The batch also remembers which send calls own which of its records (`slices`), so that its
 * acknowledgement settles those calls without any promise per record.
 */

/** The records of one send call that sit contiguously in one batch. */
export interface Slice {
  readonly call: SendCall;
  readonly batch: ProducerBatch;
  /** Offset delta of the slice's first record within the batch. */
  readonly firstDelta: number;
  count: number;
  /** Its position in the call's list of slices. */
  index: number;
}

export class ProducerBatch {
  buf: Buffer;
  /** Write position: the batch's size so far, header included. */
  size = RECORDS;
  count = 0;
  readonly baseTimestamp: number;
  maxTimestamp: number;
  readonly slices: Slice[] = [];
  /** The slice the last appended record joined. */
  lastSlice: Slice | null = null;
  /** Bytes the last appendRun appended. */
  runBytes = 0;
  /** The last error while retrying, for the message if the batch expires. */
  lastError: unknown = undefined;
  /** No more records: full, or the partition moved on to another acks level. */
  full = false;
  /** Its linger time is up (or a flush or a memory shortage wants everything out). */
  due = false;
  /** The bytes that go on the wire, once closed; kept for retries. */
  wire: Buffer | null = null;
  /** Sends so far. */
  attempts = 0;
  /** Not to be sent again before this time (retry backoff), ms since the epoch. */
  retryAt = 0;
  /** After this it fails instead of being sent or retried (deliveryTimeoutMs). */
  readonly deadline: number;
  baseOffset = -1n;
  logAppendTime = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly acks: Acks,
    /** Position in its partition's stream of batches: retries go back in this order. */
    readonly sequence: number,
    buf: Buffer,
    baseTimestamp: number,
    deliveryTimeoutMs: number,
  ) {
    this.buf = buf;
    this.baseTimestamp = baseTimestamp;
    this.maxTimestamp = baseTimestamp;
    this.deadline = Date.now() + deliveryTimeoutMs;
  }

  /**
   * Appends `records` from index `from` on, for `call`, while they go to this batch's partition
   * and fit both `limit` (the size the batch may reach, within its buffer) and `budget` bytes
   * of buffer memory. Returns the index of the first record not appended; `runBytes` says how
   * many bytes were. The producer's hot loop: locals instead of fields, one slice update per run.
   */
  appendRun(call: SendCall, records: PreparedRecords, from: number, limit: number, budget: number, perMessage: SendCall['perMessage']): number {
    const { keys, values, partitions, headers, timestamps, now, count: total } = records;
    const partition = this.partition;
    const buf = this.buf;
    const end = limit < buf.length ? limit : buf.length;
    const base = this.baseTimestamp;
    const first = this.count;
    const last = this.lastSlice;
    const sliceIndex = last !== null && last.call === call ? last.index : call.slices.length;
    let pos = this.size;
    let count = first;
    let maxTimestamp = this.maxTimestamp;
    let i = from;
    if (headers === null && timestamps === null) {
      // The bulk case, no headers and the send's own timestamp: the size is a short sum.
      const timestampDelta = now - base;
      const fixed = 2 + varlongSize(timestampDelta); // attributes, timestamp delta, header count
      const endPos = Math.min(end, this.size + budget);
      for (; i < total; i++) {
        if (partitions[i] !== partition) break;
        const key = keys === null ? null : keys[i]!;
        const value = values[i]!;
        const keyLength = key === null ? -1 : key.length;
        const valueLength = value === null ? -1 : value.length;
        const body = fixed + varintSize(count) + (keyLength < 0 ? 1 : varintSize(keyLength) + keyLength) + (valueLength < 0 ? 1 : varintSize(valueLength) + valueLength);
        const next = pos + varintSize(body) + body;
        if (next > endPos) break;
        pos = writeVarint(buf, pos, body);
        buf[pos++] = 0;
        pos = writeVarlong(buf, pos, timestampDelta);
        pos = writeVarint(buf, pos, count);
        pos = writeBytes(buf, pos, key);
        pos = writeBytes(buf, pos, value);
        buf[pos++] = 0;
        if (perMessage !== null) {
          perMessage.slice[i] = sliceIndex;
          perMessage.delta[i] = count;
        }
        count++;
      }
      if (count > first && now > maxTimestamp) maxTimestamp = now;
    }
    for (; i < total; i++) {
      if (partitions[i] !== partition) break;
      const key = keys === null ? null : keys[i]!;
      const value = values[i]!;
      const recordHeaders = headers === null ? null : headers[i]!;
      const timestamp = timestamps === null ? now : timestamps[i]!;
      const timestampDelta = timestamp - base;
      const body = encodedBodySize(count, key === null ? -1 : key.length, value === null ? -1 : value.length, recordHeaders, timestampDelta);
      const next = pos + varintSize(body) + body;
      if (next > end || next - this.size > budget) break;
      pos = writeVarint(buf, pos, body);
      buf[pos++] = 0; // attributes: unused for records
      pos = writeVarlong(buf, pos, timestampDelta);
      pos = writeVarint(buf, pos, count);
      pos = writeBytes(buf, pos, key);
      pos = writeBytes(buf, pos, value);
      if (recordHeaders === null) {
        buf[pos++] = 0;
      } else {
        pos = writeVarint(buf, pos, recordHeaders.length);
        for (const header of recordHeaders) {
          pos = writeBytes(buf, pos, header.key);
          pos = writeBytes(buf, pos, header.value);
        }
      }
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      if (perMessage !== null) {
        perMessage.slice[i] = sliceIndex;
        perMessage.delta[i] = count;
      }
      count++;
    }
    this.runBytes = pos - this.size;
    if (count > first) {
      this.size = pos;
      this.count = count;
      this.maxTimestamp = maxTimestamp;
      if (last !== null && last.call === call) last.count += count - first;
      else {
        const slice: Slice = { call, batch: this, firstDelta: first, count: count - first, index: 0 };
        this.slices.push(slice);
        this.lastSlice = slice;
        call.addSlice(slice);
      }
    }
    return i;
  }

  /** The bytes record `i` of `records` takes in this batch, length prefix included. */
  recordSize(records: PreparedRecords, i: number): number {
    const key = records.keys === null ? null : records.keys[i]!;
    const value = records.values[i]!;
    const timestamp = records.timestamps === null ? records.now : records.timestamps[i]!;
    const body = encodedBodySize(this.count, key === null ? -1 : key.length, value === null ? -1 : value.length, records.headers === null ? null : records.headers[i]!, timestamp - this.baseTimestamp);
    return varintSize(body) + body;
  }

  get capacity(): number {
    return this.buf.length;
  }

  /** Moves what is written to `buf`, a bigger buffer. */
  moveTo(buf: Buffer): void {
    this.buf.copy(buf, 0, 0, this.size);
    this.buf = buf;
  }

  /** Writes the header and CRC (compressing the records first if asked) and returns the wire bytes. */
  close(compression: CompressionCodec): Buffer {
    if (this.wire !== null) return this.wire;
    let batch = this.buf.subarray(0, this.size);
    if (compression !== 'none') {
      const compressed = codecFor(compression).compress(batch.subarray(RECORDS));
      batch = Buffer.allocUnsafe(RECORDS + compressed.length);
      compressed.copy(batch, RECORDS);
    }
    writeBatchHeader(batch, { count: this.count, baseTimestamp: this.baseTimestamp, maxTimestamp: this.maxTimestamp, compression });
    this.full = true;
    this.wire = batch;
    return batch;
  }
}

