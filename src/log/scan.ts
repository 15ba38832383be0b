import { BATCH_LENGTH, checkBatchIntegrity, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAX_TIMESTAMP, type IntegrityProblem } from '../record/index.js';
import { SegmentIndexer } from './indexer.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

/** Reads up to `length` bytes at `position` into `buffer`; returns how many were read. */
export type ReadAt = (buffer: Buffer, length: number, position: number) => Promise<number>;

export type ScanProblem = IntegrityProblem | 'offset-gap' | 'offset-overflow';

export interface ScanRequest {
  size: number;
  baseOffset: bigint;
  indexIntervalBytes: number;
}

/** What a full verification of one segment found; plain data, so it can cross a worker boundary. */
export interface ScanResult {
  /** Bytes of whole, valid, contiguous batches from the start of the file. */
  validBytes: number;
  batches: number;
  /** One past the last valid batch's last offset; the base offset when there is none. */
  nextOffset: bigint;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  /** Why the scan stopped before the end of the file, or null when all of it is valid. */
  problem: ScanProblem | null;
  offsetIndexBytes: Uint8Array;
  timeIndexBytes: Uint8Array;
}

const CHUNK = 4 << 20;

/**
 * Walks a segment batch by batch, checking length, magic, CRC-32C and that offsets run on
 * without gaps from the base offset, and rebuilds both indexes on the way.
 */
export async function scanSegment(readAt: ReadAt, request: ScanRequest): Promise<ScanResult> {
  const offsetIndex = new OffsetIndex('');
  const timeIndex = new TimeIndex('');
  const indexer = new SegmentIndexer(offsetIndex, timeIndex, request.indexIntervalBytes);
  let chunk = Buffer.alloc(0);
  let chunkStart = 0;
  let position = 0;
  let nextOffset = request.baseOffset;
  let batches = 0;
  let problem: ScanProblem | null = null;

  const ensure = async (bytes: number): Promise<boolean> => {
    if (position + bytes <= chunkStart + chunk.length) return true;
    const want = Math.min(Math.max(CHUNK, bytes), request.size - position);
    if (want < bytes) return false;
    chunk = Buffer.allocUnsafe(want);
    const read = await readAt(chunk, want, position);
    chunk = chunk.subarray(0, read);
    chunkStart = position;
    return read >= bytes;
  };

  while (position < request.size) {
    if (!(await ensure(LOG_OVERHEAD))) {
      problem = 'truncated';
      break;
    }
    const size = chunk.readInt32BE(position - chunkStart + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size > LOG_OVERHEAD && !(await ensure(size))) {
      problem = 'truncated';
      break;
    }
    const at = position - chunkStart;
    const integrity = checkBatchIntegrity(chunk, at);
    if (integrity) {
      problem = integrity;
      break;
    }
    if (chunk.readBigInt64BE(at) !== nextOffset) {
      problem = 'offset-gap';
      break;
    }
    const lastOffset = nextOffset + BigInt(chunk.readInt32BE(at + LAST_OFFSET_DELTA));
    const relativeLastOffset = lastOffset - request.baseOffset;
    if (relativeLastOffset < nextOffset - request.baseOffset || relativeLastOffset > 0x7fffffffn) {
      problem = 'offset-overflow';
      break;
    }
    indexer.onBatch(position, size, Number(relativeLastOffset), Number(chunk.readBigInt64BE(at + MAX_TIMESTAMP)));
    nextOffset = lastOffset + 1n;
    position += size;
    batches++;
  }
  // Like a closed segment's, a rebuilt time index ends at the segment's largest timestamp:
  // a clean open takes the segment's maximum from that last entry.
  indexer.seal();

  return {
    validBytes: position,
    batches,
    nextOffset,
    maxTimestamp: indexer.maxTimestamp,
    offsetOfMaxTimestamp: indexer.offsetOfMaxTimestamp,
    problem,
    offsetIndexBytes: offsetIndex.toBytes(),
    timeIndexBytes: timeIndex.toBytes(),
  };
}
