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
import { writeZigzagVarint, writeZigzagVarlong, zigzagVarintSize, zigzagVarlongSize } from './varint.js';

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

function bytesFieldSize(bytes: Buffer | null | undefined): number {
  return bytes == null ? zigzagVarintSize(-1) : zigzagVarintSize(bytes.length) + bytes.length;
}

function writeBytesField(buf: Buffer, pos: number, bytes: Buffer | null | undefined): number {
  if (bytes == null) return writeZigzagVarint(buf, pos, -1);
  pos = writeZigzagVarint(buf, pos, bytes.length);
  bytes.copy(buf, pos);
  return pos + bytes.length;
}

/** The bytes of one record after its length prefix. */
function recordBodySize(record: RecordInput, timestampDelta: bigint, offsetDelta: number): number {
  let size = 1 + zigzagVarlongSize(timestampDelta) + zigzagVarintSize(offsetDelta);
  size += bytesFieldSize(record.key) + bytesFieldSize(record.value);
  const headers = record.headers ?? [];
  size += zigzagVarintSize(headers.length);
  for (const header of headers) size += bytesFieldSize(Buffer.from(header.key, 'utf8')) + bytesFieldSize(header.value);
  return size;
}

function encodeRecords(records: RecordInput[], baseTimestamp: number): Buffer {
  const deltas = records.map((r) => BigInt((r.timestamp ?? baseTimestamp) - baseTimestamp));
  const bodySizes = records.map((r, i) => recordBodySize(r, deltas[i]!, i));
  const total = bodySizes.reduce((sum, size) => sum + zigzagVarintSize(size) + size, 0);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  records.forEach((record, i) => {
    pos = writeZigzagVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0;
    pos = writeZigzagVarlong(buf, pos, deltas[i]!);
    pos = writeZigzagVarint(buf, pos, i);
    pos = writeBytesField(buf, pos, record.key);
    pos = writeBytesField(buf, pos, record.value);
    const headers = record.headers ?? [];
    pos = writeZigzagVarint(buf, pos, headers.length);
    for (const header of headers) {
      pos = writeBytesField(buf, pos, Buffer.from(header.key, 'utf8'));
      pos = writeBytesField(buf, pos, header.value);
    }
  });
  return buf;
}

/** Builds one RecordBatch v2 with BaseOffset 0, as a producer sends it. */
export function buildBatch(records: RecordInput[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  const maxTimestamp = records.reduce((max, r) => Math.max(max, r.timestamp ?? baseTimestamp), baseTimestamp);
  const compression = options.compression ?? 'none';
  const body = codecFor(compression).compress(encodeRecords(records, baseTimestamp));
  const batch = Buffer.allocUnsafe(RECORDS + body.length);
  batch.writeBigInt64BE(0n, BASE_OFFSET);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  batch.writeInt8(CURRENT_MAGIC, MAGIC);
  batch.writeInt16BE(COMPRESSION_CODECS.indexOf(compression), ATTRIBUTES);
  batch.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BASE_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(maxTimestamp), MAX_TIMESTAMP);
  batch.writeBigInt64BE(options.producerId ?? -1n, PRODUCER_ID);
  batch.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH);
  batch.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE);
  batch.writeInt32BE(records.length, RECORDS_COUNT);
  body.copy(batch, RECORDS);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES)), CRC);
  return batch;
}
