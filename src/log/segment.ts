import { BATCH_HEADER_SIZE, decodeRecords, readBatchHeader } from '../record/index.js';
import { BatchWalker } from './batch-walker.js';
import { segmentPath } from './file-names.js';
import type { FileSystem, LogFileHandle } from './fs.js';
import { SegmentIndexer } from './indexer.js';
import { OffsetIndex } from './offset-index.js';
import type { ReadAhead } from './read-ahead.js';
import type { ReadBuffer, ReadBuffers } from './read-buffers.js';
import { batchSizeAt, emptySlice, firstBatchHolds, nextOffsetOf, ReadCursors, wholeBatches, type BatchStart, type Cursor, type LogSlice } from './segment-read.js';
import type { ScanResult } from './scan.js';
import { TimeIndex } from './time-index.js';

/** Raised when an index entry does not point where it says; the log rebuilds and retries. */
export class StaleIndexError extends Error {}

/** A batch ready to be written: offsets already stamped into its bytes. */
export interface StampedBatch {
  bytes: Buffer;
  lastOffset: bigint;
  maxTimestamp: number;
}

export const MAX_RELATIVE_OFFSET = 0x7fffffffn;

/** Where a segment read gets its buffers, and whether it reads ahead for the next one. */
export interface SegmentReadOptions {
  buffers: ReadBuffers;
  readAhead: ReadAhead | null;
}

const NOTHING_TO_RELEASE = (): void => {};

/**
 * One segment of a partition log: `<base>.log` with its `.index` and `.timeindex`. The
 * log file holds whole batches back to back from position 0, offsets contiguous from the
 * base offset; `size` counts only bytes whose write has completed, so readers never see
 * a batch that is still being written.
 */
export class LogSegment {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly indexer: SegmentIndexer;
  /** One past the last offset stored here. */
  nextOffset: bigint;
  size: number;
  /** Wall-clock time `segment.ms` counts from: when the first batch arrived, or when the segment was loaded. */
  rollBasisMs: number | null = null;
  private readers = 0;
  private deleted = false;
  private closed = false;
  private readonly cursors = new ReadCursors();
  private unflushedBytes = false;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly baseOffset: bigint,
    private readonly handle: LogFileHandle,
    size: number,
    indexIntervalBytes: number,
  ) {
    this.offsetIndex = new OffsetIndex(segmentPath(dir, baseOffset, 'index'));
    this.timeIndex = new TimeIndex(segmentPath(dir, baseOffset, 'timeindex'));
    this.indexer = new SegmentIndexer(this.offsetIndex, this.timeIndex, indexIntervalBytes);
    this.size = size;
    this.nextOffset = baseOffset;
  }

  static async create(fs: FileSystem, dir: string, baseOffset: bigint, indexIntervalBytes: number): Promise<LogSegment> {
    const handle = await fs.open(segmentPath(dir, baseOffset, 'log'), 'write');
    await handle.truncate(0);
    await fs.syncDir(dir);
    return new LogSegment(fs, dir, baseOffset, handle, 0, indexIntervalBytes);
  }

  /** Opens an existing segment and reads its indexes; returns why they can't be trusted, if so. */
  static async load(
    fs: FileSystem,
    dir: string,
    baseOffset: bigint,
    indexIntervalBytes: number,
  ): Promise<{ segment: LogSegment; indexProblem: string | null }> {
    const handle = await fs.open(segmentPath(dir, baseOffset, 'log'), 'write');
    const segment = new LogSegment(fs, dir, baseOffset, handle, await handle.size(), indexIntervalBytes);
    const indexProblem = await segment.loadIndexes();
    return { segment, indexProblem };
  }

  private async loadIndexes(): Promise<string | null> {
    const offsetProblem = (await this.offsetIndex.read(this.fs)) ?? this.offsetIndex.check(this.size);
    if (offsetProblem) return `offset index: ${offsetProblem}`;
    const timeProblem = (await this.timeIndex.read(this.fs)) ?? this.timeIndex.check();
    if (timeProblem) return `time index: ${timeProblem}`;
    const last = this.offsetIndex.last();
    if (last && !(await this.entryHolds(last.position, this.baseOffset + BigInt(last.relativeOffset)))) {
      return `offset index: last entry does not point at the batch ending at its offset`;
    }
    // The segment's largest timestamp is taken from the time index's last entry, so check
    // that entry against its batch, and that no batch after the last offset-index entry
    // (the only ones a complete time index may leave out of its earlier entries) is newer.
    const lastTime = this.timeIndex.last();
    if (lastTime && !(await this.timeEntryHolds(lastTime.relativeOffset, lastTime.timestamp))) {
      return `time index: last entry does not match the batch ending at its offset`;
    }
    if ((await this.maxTimestampFrom(last?.position ?? 0)) > (lastTime?.timestamp ?? -1)) {
      return `time index: the log holds a timestamp above its last entry`;
    }
    this.indexer.maxTimestamp = lastTime?.timestamp ?? -1;
    this.indexer.offsetOfMaxTimestamp = lastTime?.relativeOffset ?? 0;
    this.indexer.resume(this.size);
    return null;
  }

  private async entryHolds(position: number, lastOffset: bigint): Promise<boolean> {
    const walker = new BatchWalker(this.handle, position, this.size, 128);
    const batch = await walker.next();
    return batch !== null && batch.lastOffset === lastOffset;
  }

  /** Whether the batch ending at `relativeOffset` exists and has `timestamp` as its largest, as a time-index entry says. */
  private async timeEntryHolds(relativeOffset: number, timestamp: number): Promise<boolean> {
    const lastOffset = this.baseOffset + BigInt(relativeOffset);
    const walker = new BatchWalker(this.handle, this.offsetIndex.lookup(relativeOffset).position, this.size, 16 * 1024);
    for (let batch = await walker.next(); batch; batch = await walker.next()) {
      if (batch.lastOffset >= lastOffset) return batch.lastOffset === lastOffset && batch.maxTimestamp === timestamp;
    }
    return false;
  }

  /** The largest timestamp of the batches from `position` to the end of the file; -1 if none. */
  private async maxTimestampFrom(position: number): Promise<number> {
    const walker = new BatchWalker(this.handle, position, this.size, 16 * 1024);
    let max = -1;
    for (let batch = await walker.next(); batch; batch = await walker.next()) max = Math.max(max, batch.maxTimestamp);
    return max;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  get maxTimestamp(): number {
    return this.indexer.maxTimestamp;
  }

  get path(): string {
    return this.handle.path;
  }

  /** Finds the active segment's end after a clean open: walks from the last index entry. */
  async findNextOffset(): Promise<bigint | null> {
    const last = this.offsetIndex.last();
    const walker = new BatchWalker(this.handle, last?.position ?? 0, this.size, 1 << 20);
    let next = this.baseOffset;
    for (let batch = await walker.next(); batch; batch = await walker.next()) next = batch.lastOffset + 1n;
    return walker.stoppedEarly ? null : next;
  }

  fits(lastOffset: bigint): boolean {
    return lastOffset - this.baseOffset <= MAX_RELATIVE_OFFSET;
  }

  /** Writes batches at the end of the file, then indexes them. */
  async append(batches: readonly StampedBatch[]): Promise<void> {
    const start = this.size;
    await this.handle.writev(
      batches.map((b) => b.bytes),
      start,
    );
    let position = start;
    for (const batch of batches) {
      this.indexer.onBatch(position, batch.bytes.length, Number(batch.lastOffset - this.baseOffset), batch.maxTimestamp);
      position += batch.bytes.length;
      this.nextOffset = batch.lastOffset + 1n;
    }
    this.size = position;
    this.unflushedBytes = true;
  }

  /** Cuts the file back to `size` bytes, e.g. after a failed write. */
  async truncateTo(size: number): Promise<void> {
    this.cursors.clear();
    await this.handle.truncate(size);
    this.size = size;
  }

  /** Makes written bytes durable (the data only; indexes are caches). */
  async sync(): Promise<void> {
    if (!this.unflushedBytes) return;
    this.unflushedBytes = false;
    try {
      await this.handle.sync();
    } catch (error) {
      this.unflushedBytes = true;
      throw error;
    }
  }

  /** Makes the data and both indexes durable. */
  async flush(): Promise<void> {
    await this.sync();
    await this.offsetIndex.persist(this.fs, true);
    await this.timeIndex.persist(this.fs, true);
  }

  /** Writes index entries not yet on disk, without waiting for the disk. */
  async persistIndexes(): Promise<void> {
    await this.offsetIndex.persist(this.fs, false);
    await this.timeIndex.persist(this.fs, false);
  }

  /** Adopts what a full scan found: its valid length, end offset and rebuilt indexes. */
  async adoptScan(scan: ScanResult): Promise<number> {
    const cut = this.size - scan.validBytes;
    this.cursors.clear();
    if (cut > 0) await this.truncateTo(scan.validBytes);
    this.offsetIndex.replace(Buffer.from(scan.offsetIndexBytes.buffer, scan.offsetIndexBytes.byteOffset, scan.offsetIndexBytes.byteLength));
    this.timeIndex.replace(Buffer.from(scan.timeIndexBytes.buffer, scan.timeIndexBytes.byteOffset, scan.timeIndexBytes.byteLength));
    this.indexer.maxTimestamp = scan.maxTimestamp;
    this.indexer.offsetOfMaxTimestamp = scan.offsetOfMaxTimestamp;
    this.indexer.resume(this.size);
    this.nextOffset = scan.nextOffset;
    this.unflushedBytes = true;
    await this.flush();
    return cut;
  }

  readAt(buffer: Buffer, length: number, position: number): Promise<number> {
    return this.handle.read(buffer, 0, length, position);
  }

  private async withReader<T>(fn: () => Promise<T>): Promise<T> {
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.deleted && this.readers === 0) await this.handle.close();
    }
  }

  /** A walker positioned at or before the batch holding `offset`, checking the index entry it starts from. */
  private async walkerFor(offset: bigint, chunkBytes: number, end = this.size): Promise<BatchWalker> {
    const entry = this.offsetIndex.lookup(Number(offset - this.baseOffset));
    const walker = new BatchWalker(this.handle, entry.position, end, chunkBytes);
    if (entry.relativeOffset >= 0) {
      const first = await walker.next();
      if (!first || first.lastOffset !== this.baseOffset + BigInt(entry.relativeOffset)) {
        throw new StaleIndexError(`index entry at position ${entry.position} of ${this.path} is stale`);
      }
      walker.rewind(entry.position);
    }
    return walker;
  }

  /**
   * Whole batches starting with the one that holds `offset`, up to `maxBytes` but always at
   * least that first batch; empty when `offset` is past this segment's end. Where the
   * batch starts is known without looking when an earlier read ended there (a consumer
   * reading on) or it is the segment's first: then the read is a single read of the file,
   * into a buffer from `buffers`, or none when a read-ahead already holds the bytes.
   * Otherwise the batch headers are walked from the offset index's entry first. Only bytes
   * below `size` are read: never a batch still being written.
   */
  readSlice(offset: bigint, maxBytes: number, options: SegmentReadOptions): Promise<LogSlice> {
    return this.withReader(async () => {
      const end = this.size;
      const known: Cursor | undefined = offset === this.baseOffset ? { offset, position: 0, batchSize: 0 } : this.cursors.find(offset);
      if (known) {
        const ahead = known.ahead?.take() ?? null;
        known.ahead = undefined;
        if (known.position >= end) {
          if (ahead) void ahead.bytes.then(() => ahead.buffer.release());
          return emptySlice(offset);
        }
        const slice = await this.readBatchesAt(known, offset, maxBytes, end, options, ahead);
        if (slice) return slice;
        // Not the batch the hint promised (the file changed under it): look it up instead.
        this.cursors.forget(offset);
      }
      const walker = await this.walkerFor(offset, 16 * 1024, end);
      for (let batch = await walker.next(); batch; batch = await walker.next()) {
        if (batch.lastOffset < offset) continue;
        const wanted = Math.min(Math.max(maxBytes, batch.sizeInBytes), end - batch.position);
        const cached = walker.view(batch.position, batch.position + wanted);
        const slice = cached
          ? this.sliceOf(cached, batch.sizeInBytes, maxBytes, batch.position, offset, NOTHING_TO_RELEASE, options)
          : await this.readBatchesAt({ position: batch.position, batchSize: batch.sizeInBytes }, offset, maxBytes, end, options, null);
        if (!slice) throw new StaleIndexError(`batch at position ${batch.position} of ${this.path} changed while read`);
        return slice;
      }
      return emptySlice(offset);
    });
  }

  /**
   * One read at `start` of whole batches, the first of which must hold `offset`; null if it
   * does not (a stale hint). A read-ahead's bytes stand in for the read when they cover it.
   * A first batch larger than the hint expected is read again whole.
   */
  private async readBatchesAt(
    start: BatchStart,
    offset: bigint,
    maxBytes: number,
    end: number,
    options: SegmentReadOptions,
    ahead: { bytes: Promise<Buffer | null>; buffer: ReadBuffer } | null,
  ): Promise<LogSlice | null> {
    let batchSize = start.batchSize;
    for (;;) {
      // With the size unknown, at least a header: enough to learn it.
      const length = Math.min(Math.max(maxBytes, batchSize || BATCH_HEADER_SIZE), end - start.position);
      let buffer: ReadBuffer | null = null;
      let bytes: Buffer | null = null;
      if (ahead) {
        const read = await ahead.bytes;
        if (read && read.length >= length) {
          buffer = ahead.buffer;
          bytes = read.subarray(0, length);
        } else {
          ahead.buffer.release();
        }
        ahead = null;
      }
      if (!buffer || !bytes) {
        buffer = options.buffers.acquire(length);
        bytes = buffer.bytes.subarray(0, await this.handle.read(buffer.bytes, 0, length, start.position));
      }
      const firstSize = firstBatchHolds(bytes, offset) ? batchSizeAt(bytes, 0) : 0;
      if (firstSize === 0 || firstSize > end - start.position) {
        buffer.release();
        return null;
      }
      if (firstSize <= bytes.length) return this.sliceOf(bytes, firstSize, maxBytes, start.position, offset, buffer.release, options);
      buffer.release();
      if (length >= firstSize) return null; // the file ended before the batch did
      batchSize = firstSize;
    }
  }

  /**
   * Trims `bytes` (read at `position`, starting with a whole batch of `firstSize` bytes) to
   * whole batches, notes where the next read starts, and starts that read when a full one
   * is already written.
   */
  private sliceOf(bytes: Buffer, firstSize: number, maxBytes: number, position: number, offset: bigint, release: () => void, options: SegmentReadOptions): LogSlice {
    const { end, last } = wholeBatches(bytes, firstSize, Math.max(maxBytes, firstSize));
    const nextOffset = nextOffsetOf(bytes, last);
    const cursor: Cursor = { offset: nextOffset, position: position + end, batchSize: batchSizeAt(bytes, end) };
    this.cursors.moved(offset, cursor);
    if (options.readAhead) this.readAhead(cursor, maxBytes, options.buffers, options.readAhead);
    return { records: bytes.subarray(0, end), nextOffset, release };
  }

  /**
   * Starts the read a consumer that goes on from `cursor` with the same limit will ask for,
   * if all of it is written: a consumer near the end would ask for more than is there now.
   * It starts once the current response is on its way: setImmediate runs after the ticks
   * that write it, and handing a read to the thread pool can take this thread's CPU for a
   * while on a small machine.
   */
  private readAhead(cursor: Cursor, maxBytes: number, buffers: ReadBuffers, readAhead: ReadAhead): void {
    const length = Math.max(maxBytes, cursor.batchSize || BATCH_HEADER_SIZE);
    if (this.size - cursor.position < length) return;
    setImmediate(() => {
      // Not if the segment went, or a read already went on from the cursor (it is then no longer there).
      if (this.deleted || this.closed || cursor.ahead || this.cursors.find(cursor.offset) !== cursor) return;
      const position = cursor.position;
      cursor.ahead = readAhead.start(length, buffers, (into) => this.withReader(() => this.handle.read(into, 0, into.length, position))) ?? undefined;
    });
  }

  /** The first record at or after `timestamp`, with its timestamp, or null if every record is older. */
  offsetForTimestamp(timestamp: number): Promise<{ offset: bigint; timestamp: number } | null> {
    return this.withReader(async () => {
      if (this.maxTimestamp < timestamp) return null;
      const entry = this.timeIndex.lookup(timestamp);
      const start = this.baseOffset + BigInt(entry?.relativeOffset ?? 0);
      const walker = await this.walkerFor(start, 64 * 1024);
      // The entry says every batch up to `start` is no newer than its timestamp, below the
      // target, and that the batch ending at `start` has exactly that timestamp: check it on the way.
      let entryChecked = entry === null;
      for (let batch = await walker.next(); batch; batch = await walker.next()) {
        if (!entryChecked) {
          if (batch.lastOffset > start || batch.maxTimestamp > entry!.timestamp) break;
          entryChecked = batch.lastOffset === start && batch.maxTimestamp === entry!.timestamp;
          continue;
        }
        if (batch.maxTimestamp < timestamp) continue;
        try {
          const bytes = await walker.bytesOf(batch);
          const record = decodeRecords(bytes, readBatchHeader(bytes)).find((r) => r.timestamp >= timestamp);
          if (record) return { offset: record.offset, timestamp: record.timestamp };
        } catch {
          // Every Kafka codec is registered, so this is a batch whose compressed records are
          // corrupt (Produce stores batches without decompressing them): the batch is the finest answer.
          return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
        }
      }
      if (!entryChecked) throw new StaleIndexError(`time index entry for offset ${start} of ${this.path} is stale`);
      return null;
    });
  }

  /** Closes the segment's file. */
  async close(): Promise<void> {
    if (this.deleted || this.closed) return;
    this.closed = true;
    // A read-ahead may still be reading: the descriptor must outlive it (a reused one would be another file).
    await Promise.all(this.cursors.clear().map((ahead) => ahead.settled()));
    await this.handle.close();
  }

  /** Removes the files; the descriptor closes once in-flight reads finish. */
  async delete(): Promise<void> {
    this.deleted = true;
    this.cursors.clear();
    for (const kind of ['log', 'index', 'timeindex'] as const) {
      const path = segmentPath(this.dir, this.baseOffset, kind);
      if (await this.fs.exists(path)) await this.fs.unlink(path);
    }
    if (this.readers === 0) await this.handle.close();
  }
}
