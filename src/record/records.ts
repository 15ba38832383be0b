import { TidelogError } from '../common/index.js';
import { codecFor } from './compression.js';
import { compressionOf, readBatchHeader, RECORDS, TIMESTAMP_TYPE_MASK, type BatchHeader } from './layout.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** One record as a reader sees it, with its absolute offset and timestamp. */
export interface DecodedRecord {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/**
 * A record inside a batch (after the batch's records section is decompressed):
 *
 *   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *   keyLength varint, key, valueLength varint, value, headerCount varint,
 *   headers: (keyLength varint, key, valueLength varint, value)*
 *
 * This is the hot loop of every consumer (the broker's decodeRecords and the client's fetch
 * decoder both walk records with readRecord), so it reads varints inline into a module-level
 * cursor instead of returning { value, next } objects, computes timestamps as doubles, and
 * leaves BigInt offsets to the caller: one per record, never per field. Values and keys are
 * views of `batch` (or of the decompressed section), not copies.
 */

/** Where the next read starts; set by every read below. Single-threaded, so one is enough. */
let cursor = 0;

/** A zigzag varint (sint32) ending at or before `limit`. */
function readVarint(buf: Buffer, limit: number): number {
  let pos = cursor;
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= limit) throw new RangeError('varint runs past the end of the record');
    if (shift > 28) throw new RangeError('varint longer than 5 bytes');
    byte = buf[pos++]!;
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  cursor = pos;
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong (sint64) as a double: exact up to 2^53, which timestamp deltas never reach. */
function readVarlongNumber(buf: Buffer, limit: number): number {
  let pos = cursor;
  let result = 0;
  let scale = 1;
  let byte: number;
  let count = 0;
  do {
    if (pos >= limit) throw new RangeError('varlong runs past the end of the record');
    if (++count > 10) throw new RangeError('varlong longer than 10 bytes');
    byte = buf[pos++]!;
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  cursor = pos;
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

/** Steps over a length-prefixed bytes field. */
function skipBytes(buf: Buffer, limit: number): void {
  const length = readVarint(buf, limit);
  if (length > 0) {
    if (cursor + length > limit) throw new RangeError('record field runs past the end of the record');
    cursor += length;
  }
}

/** A length-prefixed bytes field as a view, or null for length -1. */
function readBytes(buf: Buffer, limit: number): Buffer | null {
  const length = readVarint(buf, limit);
  if (length < 0) return null;
  const start = cursor;
  const end = start + length;
  if (end > limit) throw new RangeError('record field runs past the end of the record');
  cursor = end;
  return buf.subarray(start, end);
}

/** The records section of a batch, decompressed if it must be. */
export function recordsSection(batch: Buffer, header: BatchHeader): Buffer {
  const section = batch.subarray(RECORDS, header.sizeInBytes);
  const codec = compressionOf(header.attributes);
  return codec === 'none' ? section : codecFor(codec).decompress(section);
}

/**
 * One record's fields as `readRecord` leaves them. Readers keep one and pass it to every call,
 * so walking a batch allocates nothing but what the reader itself builds from the fields.
 */
export interface RecordFields {
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Where the record's header count starts; read the headers with `readRecordHeaders`. */
  headersAt: number;
  headerCount: number;
}

export function emptyRecordFields(): RecordFields {
  return { timestampDelta: 0, offsetDelta: 0, key: null, value: null, headersAt: 0, headerCount: 0 };
}

/**
 * Reads the record that starts at `pos` of a records section into `out` and returns where the
 * next one starts. Headers are checked for shape but not built. Throws RangeError when the
 * record runs past `limit` or its length does not match its fields.
 */
export function readRecord(body: Buffer, pos: number, limit: number, out: RecordFields): number {
  cursor = pos;
  const length = readVarint(body, limit);
  const end = cursor + length;
  if (length < 0 || end > limit) throw new RangeError('record length runs past the end of the batch');
  cursor++; // attributes, unused in v2
  out.timestampDelta = readVarlongNumber(body, end);
  out.offsetDelta = readVarint(body, end);
  out.key = readBytes(body, end);
  out.value = readBytes(body, end);
  out.headersAt = cursor;
  const headerCount = readVarint(body, end);
  out.headerCount = headerCount;
  for (let h = 0; h < headerCount; h++) {
    skipBytes(body, end);
    skipBytes(body, end);
  }
  if (cursor !== end) throw new RangeError('record length does not match its fields');
  return end;
}

/** The headers of the record `fields` was read from (`body` as given to `readRecord`). */
export function readRecordHeaders(body: Buffer, fields: RecordFields): RecordHeader[] {
  cursor = fields.headersAt;
  const limit = body.length;
  const count = readVarint(body, limit);
  const headers: RecordHeader[] = [];
  for (let h = 0; h < count; h++) {
    const key = readBytes(body, limit);
    headers.push({ key: key?.toString('utf8') ?? '', value: readBytes(body, limit) });
  }
  return headers;
}

/** Decodes every record of one batch (decompressing if it must). */
export function decodeRecords(batch: Buffer, header: BatchHeader = readBatchHeader(batch)): DecodedRecord[] {
  const body = recordsSection(batch, header);
  const count = header.recordsCount;
  const records: DecodedRecord[] = new Array<DecodedRecord>(count);
  // LogAppendTime: the broker's time, kept once in MaxTimestamp, stands for every record's.
  const logAppendTime = (header.attributes & TIMESTAMP_TYPE_MASK) !== 0 ? Number(header.maxTimestamp) : null;
  const baseTimestamp = Number(header.baseTimestamp);
  // Offsets below 2^53 take one BigInt per record (from a double) instead of two.
  const baseOffset = header.baseOffset;
  const smallBase = baseOffset >= 0n && baseOffset < 0x1f_0000_0000_0000n ? Number(baseOffset) : -1;
  const limit = body.length;
  const fields = emptyRecordFields();
  let pos = 0;
  try {
    for (let i = 0; i < count; i++) {
      pos = readRecord(body, pos, limit, fields);
      records[i] = {
        offset: smallBase >= 0 ? BigInt(smallBase + fields.offsetDelta) : baseOffset + BigInt(fields.offsetDelta),
        timestamp: logAppendTime ?? baseTimestamp + fields.timestampDelta,
        key: fields.key,
        value: fields.value,
        headers: fields.headerCount === 0 ? [] : readRecordHeaders(body, fields),
      };
    }
  } catch (error) {
    if (error instanceof RangeError) throw new TidelogError('CORRUPT_MESSAGE', `malformed record: ${error.message}`, { cause: error });
    throw error;
  }
  return records;
}
