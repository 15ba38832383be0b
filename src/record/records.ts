import { TidelogError } from '../common/index.js';
import { codecFor } from './compression.js';
import { compressionOf, readBatchHeader, RECORDS, type BatchHeader } from './layout.js';
import { readZigzagVarint, readZigzagVarlong } from './varint.js';

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

function readBytes(buf: Buffer, pos: number): { value: Buffer | null; next: number } {
  const length = readZigzagVarint(buf, pos);
  if (length.value < 0) return { value: null, next: length.next };
  const end = length.next + length.value;
  if (end > buf.length) throw new RangeError('record field runs past the end of the batch');
  return { value: buf.subarray(length.next, end), next: end };
}

/** Decodes every record of one batch (decompressing if it must). */
export function decodeRecords(batch: Buffer, header: BatchHeader = readBatchHeader(batch)): DecodedRecord[] {
  const section = batch.subarray(RECORDS, header.sizeInBytes);
  const body = codecFor(compressionOf(header.attributes)).decompress(section);
  const records: DecodedRecord[] = [];
  let pos = 0;
  try {
    for (let i = 0; i < header.recordsCount; i++) {
      const length = readZigzagVarint(body, pos);
      const end = length.next + length.value;
      pos = length.next + 1; // attributes, unused in v2
      const timestampDelta = readZigzagVarlong(body, pos);
      const offsetDelta = readZigzagVarint(body, timestampDelta.next);
      const key = readBytes(body, offsetDelta.next);
      const value = readBytes(body, key.next);
      const headerCount = readZigzagVarint(body, value.next);
      pos = headerCount.next;
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount.value; h++) {
        const hk = readBytes(body, pos);
        const hv = readBytes(body, hk.next);
        headers.push({ key: hk.value?.toString('utf8') ?? '', value: hv.value });
        pos = hv.next;
      }
      if (pos !== end) throw new RangeError('record length does not match its fields');
      records.push({
        offset: header.baseOffset + BigInt(offsetDelta.value),
        timestamp: Number(header.baseTimestamp + timestampDelta.value),
        key: key.value,
        value: value.value,
        headers,
      });
    }
  } catch (error) {
    if (error instanceof RangeError) throw new TidelogError('CORRUPT_MESSAGE', `malformed record: ${error.message}`, { cause: error });
    throw error;
  }
  return records;
}
