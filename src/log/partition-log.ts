import { type Clock, SerialLane, systemClock, TidelogError } from '../common/index.js';
import { DEFAULT_TOPIC_CONFIG, type TopicConfig } from '../config/index.js';
import { BASE_OFFSET, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, validateClientBatch } from '../record/index.js';
import { realFileSystem, type FileSystem } from './fs.js';
import { FlushPolicy } from './flush-policy.js';
import { GroupCommit } from './group-commit.js';
import { loadSegments, writeCleanShutdownMarker, writeRecoveryPoint, type RecoveryReport, type ScanPlacement } from './recovery.js';
import { segmentsToDelete, type RetentionReason } from './retention.js';
import { rollReason, type RollReason } from './roll.js';
import { scanSegment } from './scan.js';
import { sharedReadAhead, type ReadAhead } from './read-ahead.js';
import { FRESH_READ_BUFFERS, sharedReadBuffers, type ReadBuffers } from './read-buffers.js';
import { LogSegment, StaleIndexError, type SegmentReadOptions, type StampedBatch } from './segment.js';
import { emptySlice, type LogSlice } from './segment-read.js';


export interface LogOptions {
  /** The partition directory, `<data-dir>/<topic>-<partition>`. */
  dir: string;
  config?: TopicConfig;
  fs?: FileSystem;
  clock?: Clock;
  scanPlacement?: ScanPlacement;
  /** Stamped into every batch's PartitionLeaderEpoch; a single broker stays at 0. */
  leaderEpoch?: number;
  /** Where readSlice gets its buffers; the process-wide pool unless given. */
  readBuffers?: ReadBuffers;
  /** readSlice's read-ahead budget; the process-wide one unless given, none when null. */
  readAhead?: ReadAhead | null;
}

export interface AppendOptions {
  /** Acknowledge only after the bytes are fsynced (acks=all). */
  durable?: boolean;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1: batches keep the producer's CreateTime. */
  logAppendTime: number;
  logStartOffset: bigint;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  reasons: RetentionReason[];
}

export interface SegmentInfo {
  baseOffset: bigint;
  nextOffset: bigint;
  size: number;
  maxTimestamp: number;
}

interface PendingAppend extends StampedBatch {
  records: number;
  durable: boolean;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** How `read` reads: into a buffer the caller keeps, nothing ahead. */
const KEPT: SegmentReadOptions = { buffers: FRESH_READ_BUFFERS, readAhead: null };

/** Most batches one write gathers (the kernel's IOV_MAX). */
const MAX_BATCHES_PER_WRITE = 1024;

/**
 * The log of one partition: append-only segments in Kafka's format. Appends are validated
 * and given offsets at once, then written in arrival order by one serial writer that
 * gathers whatever is queued into a single vectored write; durable appends share fsyncs.
 * Rolling, retention, flushing and closing run on the same serial lane, so none of them
 * interleaves with a write.
 */
export class PartitionLog {
  private nextOffsetToAssign: bigint;
  private readonly queue: PendingAppend[] = [];
  private writeScheduled = false;
  private failure: TidelogError | null = null;
  private closed = false;
  private readonly flushPolicy: FlushPolicy;
  private readonly lane = new SerialLane();
  private readonly groupCommit: GroupCommit;
  /** Data below this offset is fsynced and indexed on disk. */
  recoveryPoint: bigint;
  lastRollReason: RollReason | null = null;

  private constructor(
    readonly dir: string,
    private config: TopicConfig,
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly leaderEpoch: number,
    private readonly segments: LogSegment[],
    readonly recoveryReport: RecoveryReport,
    private readonly passThrough: SegmentReadOptions,
  ) {
    this.nextOffsetToAssign = this.logEndOffset;
    this.recoveryPoint = this.logEndOffset;
    this.flushPolicy = new FlushPolicy(clock);
    this.groupCommit = new GroupCommit(() => this.syncActive());
    this.armFlushTimer();
  }

  static async open(options: LogOptions): Promise<PartitionLog> {
    const fs = options.fs ?? realFileSystem;
    const clock = options.clock ?? systemClock;
    const config = options.config ?? DEFAULT_TOPIC_CONFIG;
    const { segments, report } = await loadSegments({
      fs,
      dir: options.dir,
      indexIntervalBytes: config['index.interval.bytes'],
      scanPlacement: options.scanPlacement ?? 'auto',
      now: clock.now(),
    });
    const passThrough = { buffers: options.readBuffers ?? sharedReadBuffers, readAhead: options.readAhead === undefined ? sharedReadAhead : options.readAhead };
    return new PartitionLog(options.dir, config, fs, clock, options.leaderEpoch ?? 0, segments, report, passThrough);
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  get logStartOffset(): bigint {
    return this.segments[0]!.baseOffset;
  }

  /** One past the last offset whose write has completed: what readers can see. */
  get logEndOffset(): bigint {
    return this.active.nextOffset;
  }

  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  get topicConfig(): TopicConfig {
    return this.config;
  }

  segmentInfos(): SegmentInfo[] {
    return this.segments.map((s) => ({ baseOffset: s.baseOffset, nextOffset: s.nextOffset, size: s.size, maxTimestamp: s.maxTimestamp }));
  }

  setConfig(config: TopicConfig): void {
    this.config = config;
    this.armFlushTimer();
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new TidelogError('KAFKA_STORAGE_ERROR', `log ${this.dir} is closed`);
  }

  /**
   * Appends one record batch as a client sent it. Validates it, stamps BaseOffset and
   * PartitionLeaderEpoch into its bytes (outside the CRC), and resolves once written, or
   * once fsynced when `durable`. A rejected batch leaves nothing on disk.
   */
  append(batch: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    try {
      this.usable();
      const { recordsCount } = validateClientBatch(batch, { maxMessageBytes: this.config['max.message.bytes'] });
      const baseOffset = this.nextOffsetToAssign;
      const lastOffset = baseOffset + BigInt(recordsCount - 1);
      this.nextOffsetToAssign = lastOffset + 1n;
      batch.writeBigInt64BE(baseOffset, BASE_OFFSET);
      batch.writeInt32BE(this.leaderEpoch, PARTITION_LEADER_EPOCH);
      return new Promise((resolve, reject) => {
        const maxTimestamp = Number(batch.readBigInt64BE(MAX_TIMESTAMP));
        this.queue.push({ bytes: batch, lastOffset, maxTimestamp, records: recordsCount, durable: options.durable ?? false, resolve, reject });
        if (!this.writeScheduled) {
          this.writeScheduled = true;
          void this.lane.run(() => this.writeQueued());
        }
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Writes everything queued, rolling where needed; runs on the lane. */
  private async writeQueued(): Promise<void> {
    this.writeScheduled = false;
    while (this.queue.length > 0) {
      if (this.failure) return this.rejectQueued(this.failure);
      let group: PendingAppend[];
      try {
        group = await this.takeGroup();
      } catch (cause) {
        this.failure ??= new TidelogError('KAFKA_STORAGE_ERROR', `rolling ${this.dir} failed; the log is offline`, { cause });
        return this.rejectQueued(this.failure);
      }
      try {
        await this.active.append(group);
      } catch (error) {
        return this.failWrite(error, group);
      }
      this.active.rollBasisMs ??= this.clock.now();
      await this.acknowledge(group);
    }
  }

  /** The longest run of queued batches that fits in the active segment, rolling first if the head does not. */
  private async takeGroup(): Promise<PendingAppend[]> {
    const now = this.clock.now();
    const head = this.queue[0]!;
    const reason = rollReason(this.active, 0, head.bytes.length, head.lastOffset, this.config, now);
    if (reason) await this.roll(reason);
    let bytes = head.bytes.length;
    let count = 1;
    while (count < this.queue.length && count < MAX_BATCHES_PER_WRITE) {
      const next = this.queue[count]!;
      if (rollReason(this.active, bytes, next.bytes.length, next.lastOffset, this.config, now)) break;
      bytes += next.bytes.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async acknowledge(group: PendingAppend[]): Promise<void> {
    const logStartOffset = this.logStartOffset;
    const settle = (p: PendingAppend) => p.resolve({ baseOffset: p.lastOffset - BigInt(p.records - 1), lastOffset: p.lastOffset, logAppendTime: -1, logStartOffset });
    for (const p of group) this.flushPolicy.appended(p.records);
    if (this.flushPolicy.isDue(this.config)) {
      // The flush policy asked for this fsync: hold these acknowledgements until it is done.
      try {
        await this.flushNow();
      } catch (error) {
        for (const p of group) p.reject(error);
        return;
      }
      for (const p of group) settle(p);
      return;
    }
    const durable = group.filter((p) => p.durable);
    for (const p of group) if (!p.durable) settle(p);
    // One fsync covers the whole write, however many durable appends it carried.
    if (durable.length > 0) {
      this.groupCommit.sync().then(
        () => durable.forEach(settle),
        (error) => durable.forEach((p) => p.reject(error)),
      );
    }
  }

  private rejectQueued(error: unknown): void {
    for (const p of this.queue.splice(0)) p.reject(error);
  }

  /** A write failed: nothing from `group` on is acknowledged, and their offsets are handed out again. */
  private async failWrite(cause: unknown, group: PendingAppend[]): Promise<void> {
    const error = new TidelogError('KAFKA_STORAGE_ERROR', `write to ${this.active.path} failed: ${(cause as Error).message}`, { cause });
    for (const p of group) p.reject(error);
    this.rejectQueued(error);
    this.nextOffsetToAssign = this.logEndOffset;
    try {
      await this.active.truncateTo(this.active.size);
    } catch (truncateError) {
      this.failure = new TidelogError('KAFKA_STORAGE_ERROR', `log ${this.dir} is offline: could not undo a failed write`, { cause: truncateError });
    }
  }

  /** The group commit's fsync. A failed fsync takes the log offline: the page cache can no longer be trusted. */
  private async syncActive(): Promise<void> {
    // After a failed fsync a later one can succeed without the lost pages: it proves nothing.
    if (this.failure) throw this.failure;
    try {
      await this.active.sync();
    } catch (cause) {
      this.failure ??= new TidelogError('KAFKA_STORAGE_ERROR', `fsync of ${this.active.path} failed; log ${this.dir} is offline`, { cause });
      throw this.failure;
    }
  }

  /** fsyncs the active segment and its indexes and advances the recovery point. */
  private async flushNow(): Promise<void> {
    if (this.failure) throw this.failure; // as in syncActive: no fsync after a failed one vouches for anything
    const flushedTo = this.logEndOffset;
    try {
      await this.active.flush();
    } catch (cause) {
      this.failure ??= new TidelogError('KAFKA_STORAGE_ERROR', `flush of ${this.active.path} failed; log ${this.dir} is offline`, { cause });
      throw this.failure;
    }
    this.recoveryPoint = flushedTo;
    this.flushPolicy.flushed();
  }

  private armFlushTimer(): void {
    this.flushPolicy.arm(this.config, () => this.lane.run(() => (this.closed ? Promise.resolve() : this.flushNow())));
  }

  private async roll(reason: RollReason): Promise<void> {
    const old = this.active;
    old.indexer.seal();
    await old.flush();
    this.segments.push(await LogSegment.create(this.fs, this.dir, old.nextOffset, this.config['index.interval.bytes']));
    this.recoveryPoint = old.nextOffset;
    await writeRecoveryPoint(this.fs, this.dir, this.recoveryPoint);
    this.lastRollReason = reason;
  }

  /** Closes the active segment and starts a new one, unless it is empty. */
  rollNow(): Promise<void> {
    return this.lane.run(async () => {
      this.usable();
      if (!this.active.isEmpty) await this.roll('requested');
    });
  }

  /** fsyncs everything written so far and checkpoints the recovery point. */
  flush(): Promise<void> {
    return this.lane.run(async () => {
      this.usable();
      await this.flushNow();
      await writeRecoveryPoint(this.fs, this.dir, this.recoveryPoint);
    });
  }

  /** Deletes the oldest closed segments that retention.ms or retention.bytes no longer keep. */
  applyRetention(): Promise<RetentionResult> {
    return this.lane.run(async () => {
      this.usable();
      const { count, reasons } = segmentsToDelete(this.segments, this.config, this.clock.now());
      const doomed = this.segments.splice(0, count);
      for (const segment of doomed) await segment.delete();
      return { deletedSegments: count, deletedBytes: doomed.reduce((sum, s) => sum + s.size, 0), reasons };
    });
  }

  /**
   * Deletes the oldest segments that lie wholly below `offset` (never the active one), so the
   * log then starts at the first segment kept. For a log the broker compacts itself: it
   * writes a snapshot of the live state from a fresh segment, then drops what came before.
   */
  deleteSegmentsBelow(offset: bigint): Promise<{ deletedSegments: number; deletedBytes: number }> {
    return this.lane.run(async () => {
      this.usable();
      let count = 0;
      while (count < this.segments.length - 1 && this.segments[count]!.nextOffset <= offset) count++;
      const doomed = this.segments.splice(0, count);
      for (const segment of doomed) await segment.delete();
      return { deletedSegments: count, deletedBytes: doomed.reduce((sum, s) => sum + s.size, 0) };
    });
  }

  private segmentFor(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private outOfRange(offset: bigint): TidelogError {
    return new TidelogError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside the log [${this.logStartOffset}, ${this.logEndOffset}]`);
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` but always at least one
   * batch, all from one segment; empty at the log end. Bytes come back exactly as stored,
   * in a buffer the caller keeps.
   */
  async read(offset: bigint, maxBytes: number): Promise<Buffer> {
    return (await this.readWith(offset, maxBytes, KEPT)).records;
  }

  /**
   * As `read`, with where the next read starts, for bytes that only pass through (a
   * fetch's): they lie in a buffer from the log's pool, which `release` hands back once
   * nothing reads them any more, and a consumer reading on finds its next read started.
   */
  readSlice(offset: bigint, maxBytes: number): Promise<LogSlice> {
    return this.readWith(offset, maxBytes, this.passThrough);
  }

  private async readWith(offset: bigint, maxBytes: number, options: SegmentReadOptions): Promise<LogSlice> {
    this.usable();
    if (offset < this.logStartOffset || offset > this.logEndOffset) throw this.outOfRange(offset);
    for (let i = this.segmentFor(offset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const slice = await this.withFreshIndex(segment, () => segment.readSlice(offset, maxBytes, options));
      if (slice.records.length > 0) return slice;
    }
    return emptySlice(offset);
  }

  /** The first record whose timestamp is at or after `timestamp`, or null if all are older. */
  async offsetForTimestamp(timestamp: number): Promise<{ offset: bigint; timestamp: number } | null> {
    this.usable();
    for (const segment of [...this.segments]) {
      if (segment.maxTimestamp < timestamp) continue;
      const found = await this.withFreshIndex(segment, () => segment.offsetForTimestamp(timestamp));
      if (found) return found;
    }
    return null;
  }

  /** Runs a lookup; if an index entry proves stale, rebuilds that segment's indexes from its log once and retries. */
  private async withFreshIndex<T>(segment: LogSegment, lookup: () => Promise<T>): Promise<T> {
    try {
      return await lookup();
    } catch (error) {
      if (!(error instanceof StaleIndexError)) throw error;
      await this.lane.run(async () => {
        const scan = await scanSegment((buffer, length, position) => segment.readAt(buffer, length, position), {
          size: segment.size,
          baseOffset: segment.baseOffset,
          indexIntervalBytes: this.config['index.interval.bytes'],
        });
        if (scan.problem) throw new TidelogError('KAFKA_STORAGE_ERROR', `segment ${segment.path} is damaged at byte ${scan.validBytes}: ${scan.problem}`);
        await segment.adoptScan(scan);
      });
      return lookup();
    }
  }

  /**
   * Clean shutdown: waits for queued writes, flushes everything, checkpoints the recovery
   * point and leaves the clean-shutdown marker, so the next open skips recovery.
   */
  close(): Promise<void> {
    if (this.closed) return this.lane.run(async () => {});
    this.closed = true;
    this.flushPolicy.stop();
    return this.lane.run(async () => {
      await this.groupCommit.idle();
      try {
        if (!this.failure) {
          this.active.indexer.seal();
          await this.active.flush();
          await writeRecoveryPoint(this.fs, this.dir, this.logEndOffset);
          await writeCleanShutdownMarker(this.fs, this.dir);
        }
      } finally {
        for (const segment of this.segments) await segment.close();
      }
    });
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    this.closed = true;
    this.flushPolicy.stop();
    await this.lane.run(async () => {
      await this.groupCommit.idle().catch(() => {});
      for (const segment of this.segments) await segment.close();
      await this.fs.removeDir(this.dir);
    });
  }
}
