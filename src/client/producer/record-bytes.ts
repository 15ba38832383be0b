import { zigzagVarintSize as varintSize, zigzagVarlongNumberSize as varlongSize } from '../../record/index.js';
import type { PreparedRecords } from './prepare.js';

/**
 * The byte-level pieces of a record in a RecordBatch v2, sized and written on doubles, without
 * BigInt or temporary buffers:
 *
 *   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *   keyLength varint (-1: null), key, valueLength varint (-1: null), value,
 *   headerCount varint, headers: (keyLength varint, key, valueLength varint, value)*
 *
 * Varints are zigzag (protobuf sint32/sint64). A timestamp delta is a double: it stays far
 * inside the ±2^52 these handle; the writers are src/record/varint.ts's number forms.
 */

/** A header with its key and value already as bytes (null value allowed, as in Kafka). */
export interface EncodedHeader {
  key: Buffer;
  value: Uint8Array | null;
}

/** Framing of one record besides its key, value and header bytes, at most (varints at full width). */
export const MAX_RECORD_FRAMING = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** Framing of one header besides its key and value bytes, at most. */
export const MAX_HEADER_FRAMING = 5 + 5;

/** A bound on the encoded size of record `i` of `records`, length prefix included. */
export function maxRecordSize(records: PreparedRecords, i: number): number {
  const key = records.keys === null ? null : records.keys[i]!;
  const value = records.values[i]!;
  const headers = records.headers === null ? null : records.headers[i]!;
  let bound = MAX_RECORD_FRAMING + (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
  if (headers !== null) for (const header of headers) bound += MAX_HEADER_FRAMING + header.key.length + (header.value === null ? 0 : header.value.length);
  return bound;
}

/** The bytes of one record after its length prefix (a key or value length of -1 is null). */
export function encodedBodySize(offsetDelta: number, keyLength: number, valueLength: number, headers: EncodedHeader[] | null, timestampDelta: number): number {
  let size = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta);
  size += keyLength < 0 ? 1 : varintSize(keyLength) + keyLength;
  size += valueLength < 0 ? 1 : varintSize(valueLength) + valueLength;
  if (headers === null) return size + 1;
  size += varintSize(headers.length);
  for (const header of headers) {
    size += varintSize(header.key.length) + header.key.length;
    size += header.value === null ? 1 : varintSize(header.value.length) + header.value.length;
  }
  return size;
}

