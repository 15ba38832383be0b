import { crc32c } from './crc32c.js';
import { codecFor } from './compression.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  COMPRESSION_CODECS,
  CRC,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORDS,
  RECORDS_COUNT,
  type CompressionCodec,
} from './layout.js';
import type { RecordHeader } from './records.js';
import {
  writeInt64Number as writeInt64,
  writeZigzagBytes as writeBytes,
  writeZigzagVarint as writeVarint,
  writeZigzagVarlongNumber as writeVarlong,
  zigzagVarintSize as varintSize,
  zigzagVarlongNumberSize as varlongSize,
} from './varint.js';

/**
 * Builds a RecordBatch v2 from records in memory. One cheap pass sizes the batch (lengths
 * only), one pass writes every record into a single buffer right behind the 61-byte header,
 * then the header and one CRC-32C. Timestamps stay doubles (deltas fit far inside 2^53), header
 * keys are written as UTF-8 in place: no BigInt, no Buffer per record or per header.
 */

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to the batch's base timestamp. */
  timestamp?: number;
}

export interface BatchOptions {
  /** Defaults to now. */
  baseTimestamp?: number;
  compression?: CompressionCodec;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/** Builds one RecordBatch v2 with BaseOffset 0, as a producer sends it. */
export function buildBatch(records: RecordInput[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  const compression = options.compression ?? 'none';
  const codec = codecFor(compression);

  // Upper bound: every varint at its widest (length 5, timestamp delta 10, offset delta, key and
  // value lengths and header count 5 each; UTF-8 is at most 3 bytes per UTF-16 unit).
  let bound = RECORDS;
  let maxTimestamp = baseTimestamp;
  for (const record of records) {
    bound += 36 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const header of record.headers ?? []) bound += 10 + 3 * header.key.length + (header.value?.length ?? 0);
    const timestamp = record.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }

  const buf = Buffer.allocUnsafe(bound);
  let pos = RECORDS;
  for (let i = 0; i < records.length; i++) pos = writeRecord(buf, pos, records[i]!, i, (records[i]!.timestamp ?? baseTimestamp) - baseTimestamp);

  let batch = buf.subarray(0, pos);
  if (compression !== 'none') {
    const compressed = codec.compress(batch.subarray(RECORDS));
    batch = Buffer.allocUnsafe(RECORDS + compressed.length);
    compressed.copy(batch, RECORDS);
  } else if (pos < bound / 2) {
    batch = Buffer.from(batch); // don't pin a buffer twice the batch's size
  }
  writeBatchHeader(batch, {
    count: records.length,
    baseTimestamp,
    maxTimestamp,
    compression,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
  });
  return batch;
}

export interface BatchHeaderFields {
  count: number;
  baseTimestamp: number;
  maxTimestamp: number;
  compression: CompressionCodec;
  /** Default -1n, -1, -1: not idempotent. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/**
 * Fills in the 61-byte header of a batch whose records section is already in place after
 * RECORDS, and its CRC-32C last (it covers everything from the attributes on). BaseOffset is 0
 * and PartitionLeaderEpoch -1: the broker assigns both.
 */
export function writeBatchHeader(batch: Buffer, fields: BatchHeaderFields): void {
  writeInt64(batch, BASE_OFFSET, 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  batch[MAGIC] = CURRENT_MAGIC;
  batch.writeInt16BE(COMPRESSION_CODECS.indexOf(fields.compression), ATTRIBUTES);
  batch.writeInt32BE(fields.count - 1, LAST_OFFSET_DELTA);
  writeInt64(batch, BASE_TIMESTAMP, fields.baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP, fields.maxTimestamp);
  batch.writeBigInt64BE(fields.producerId ?? -1n, PRODUCER_ID);
  batch.writeInt16BE(fields.producerEpoch ?? -1, PRODUCER_EPOCH);
  batch.writeInt32BE(fields.baseSequence ?? -1, BASE_SEQUENCE);
  batch.writeInt32BE(fields.count, RECORDS_COUNT);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES)), CRC);
}

/** Writes one record (length prefix first) at `pos`; returns the position after it. */
function writeRecord(buf: Buffer, pos: number, record: RecordInput, offsetDelta: number, timestampDelta: number): number {
  const key = record.key ?? null;
  const value = record.value;
  const headers = record.headers ?? [];
  let body = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta);
  body += key === null ? 1 : varintSize(key.length) + key.length;
  body += value === null ? 1 : varintSize(value.length) + value.length;
  body += varintSize(headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    body += varintSize(keyBytes) + keyBytes;
    body += header.value === null ? 1 : varintSize(header.value.length) + header.value.length;
  }
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // attributes: unused for records
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, key);
  pos = writeBytes(buf, pos, value);
  pos = writeVarint(buf, pos, headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    pos = writeVarint(buf, pos, keyBytes);
    pos += buf.write(header.key, pos, keyBytes, 'utf8');
    pos = writeBytes(buf, pos, header.value);
  }
  return pos;
}
