import { BASE_OFFSET, BATCH_HEADER_SIZE, BATCH_LENGTH, CURRENT_MAGIC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC } from '../record/index.js';
import type { AheadRead } from './read-ahead.js';

/**
 * The pieces of a segment read that need no file: what a read returns, where earlier reads
 * ended, and how a read is trimmed to whole batches.
 */

/** What a read returns. */
export interface LogSlice {
  /** Whole batches as stored, back to back; empty when nothing lies at or after the offset asked for. */
  records: Buffer;
  /** One past the last offset in `records`; the offset asked for when `records` is empty. */
  nextOffset: bigint;
  /**
   * Hands the buffer behind `records` back for reuse (see ReadBufferPool): call it only once
   * nothing reads `records` any more, or never.
   */
  release(): void;
}

const NOTHING_TO_RELEASE = (): void => {};

export function emptySlice(offset: bigint): LogSlice {
  return { records: Buffer.alloc(0), nextOffset: offset, release: NOTHING_TO_RELEASE };
}

/** Where a batch starts in the segment file, and its size when known (0 when not). */
export interface BatchStart {
  position: number;
  batchSize: number;
}

export interface Cursor extends BatchStart {
  offset: bigint;
  /** The next read, already started (see ReadAhead). */
  ahead?: AheadRead;
}

/**
 * Where the last few reads of a segment ended: the offset that follows and the file position
 * where its batch starts, so that a consumer reading on starts its next read there, without
 * the offset index and the header walk from its entry. A handful, because a partition has
 * few readers at a time; with more, the oldest are forgotten and their readers walk from the
 * index. Entries are hints: a read checks the batch it finds there before trusting one.
 */
export class ReadCursors {
  private readonly cursors: (Cursor | undefined)[];
  private next = 0;

  constructor(size = 4) {
    this.cursors = new Array<Cursor | undefined>(size);
  }

  find(offset: bigint): Cursor | undefined {
    for (const cursor of this.cursors) if (cursor?.offset === offset) return cursor;
    return undefined;
  }

  /** Records where a read that started at `from` ended; it takes that read's entry, if it had one. */
  moved(from: bigint, to: Cursor): void {
    let slot = this.cursors.findIndex((c) => c?.offset === from || c?.offset === to.offset);
    if (slot < 0) {
      slot = this.next;
      this.next = (this.next + 1) % this.cursors.length;
    }
    this.cursors[slot]?.ahead?.drop();
    this.cursors[slot] = to;
  }

  forget(offset: bigint): void {
    const slot = this.cursors.findIndex((c) => c?.offset === offset);
    if (slot < 0) return;
    this.cursors[slot]!.ahead?.drop();
    this.cursors[slot] = undefined;
  }

  /**
   * Forgets every cursor (after the file is cut, positions may no longer hold what they did)
   * and drops their read-aheads; returns those, whose reads may still be running.
   */
  clear(): AheadRead[] {
    const dropped: AheadRead[] = [];
    for (const cursor of this.cursors) {
      if (!cursor?.ahead) continue;
      cursor.ahead.drop();
      dropped.push(cursor.ahead);
    }
    this.cursors.fill(undefined);
    return dropped;
  }
}

/**
 * The size of the batch at `position` of `bytes` if its header looks like one (magic 2, a
 * size no smaller than a header), else 0. Needs LOG_OVERHEAD bytes for the size and the
 * magic byte: callers check what is there.
 */
export function batchSizeAt(bytes: Buffer, position: number): number {
  if (position + MAGIC >= bytes.length) return 0;
  const size = bytes.readInt32BE(position + BATCH_LENGTH) + LOG_OVERHEAD;
  return bytes[position + MAGIC] === CURRENT_MAGIC && size >= BATCH_HEADER_SIZE ? size : 0;
}

/** Whether the batch whose header starts `bytes` holds `offset`. */
export function firstBatchHolds(bytes: Buffer, offset: bigint): boolean {
  if (bytes.length < BATCH_HEADER_SIZE) return false;
  const baseOffset = bytes.readBigInt64BE(BASE_OFFSET);
  return baseOffset <= offset && offset <= baseOffset + BigInt(bytes.readInt32BE(LAST_OFFSET_DELTA));
}

/**
 * How many bytes of the batches at the start of `bytes` to return: the whole batches that
 * fit in `limit`, and always the first, which the caller has checked is whole. Also where
 * the last of them starts, whose header gives the slice's next offset.
 */
export function wholeBatches(bytes: Buffer, firstSize: number, limit: number): { end: number; last: number } {
  let last = 0;
  let end = firstSize;
  for (;;) {
    const size = batchSizeAt(bytes, end);
    if (size === 0 || end + size > bytes.length || end + size > limit) return { end, last };
    last = end;
    end += size;
  }
}

/** One past the last offset of the batch whose header starts at `position`. */
export function nextOffsetOf(bytes: Buffer, position: number): bigint {
  return bytes.readBigInt64BE(position + BASE_OFFSET) + BigInt(bytes.readInt32BE(position + LAST_OFFSET_DELTA)) + 1n;
}
