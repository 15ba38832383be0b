import { TidelogError } from '../common/index.js';
import type { AppendResult, LogSlice, PartitionLog } from '../log/index.js';

/** Who asks: a client over the network, or the broker itself (its coordinators). Clients may not write to or alter internal topics. */
export type Origin = 'client' | 'broker';

export interface PartitionAppendOptions {
  /** Acknowledge only once fsynced (acks=-1). */
  durable?: boolean;
  /** Defaults to 'client'. */
  origin?: Origin;
}

/** What a partition tells its listeners: bytes appended (after the append completed), or that it was deleted. */
export type PartitionEvent = { kind: 'append'; lastOffset: bigint; bytes: number } | { kind: 'gone' };
export type PartitionListener = (event: PartitionEvent) => void;

/** ListOffsets' special timestamps. */
export const LIST_OFFSETS_TIMESTAMP = {
  LATEST: -1n,
  EARLIEST: -2n,
  /** KIP-734 (ListOffsets v7): the record with the largest timestamp. */
  MAX_TIMESTAMP: -3n,
  /** KIP-1005 (ListOffsets v8): the earliest offset on local disk, here the log start. */
  EARLIEST_LOCAL: -4n,
} as const;

export interface ListedOffset {
  offset: bigint;
  /** -1 for the special timestamps but MAX_TIMESTAMP, and when nothing matched. */
  timestamp: bigint;
}

const NOT_FOUND: ListedOffset = { offset: -1n, timestamp: -1n };

/**
 * One partition of a topic, over its log: what the Produce, Fetch and ListOffsets
 * handlers use. A single broker is every partition's leader and only replica, so the high
 * watermark and the last stable offset (no transactions) are the log end offset.
 */
export class Partition {
  private readonly listeners = new Set<PartitionListener>();
  private deleted = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly internal: boolean,
    readonly log: PartitionLog,
  ) {}

  get logStartOffset(): bigint {
    return this.log.logStartOffset;
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset;
  }

  get highWatermark(): bigint {
    return this.log.logEndOffset;
  }

  get lastStableOffset(): bigint {
    return this.log.logEndOffset;
  }

  /** True once the topic is deleted; every call then fails with UNKNOWN_TOPIC_OR_PARTITION. */
  get isDeleted(): boolean {
    return this.deleted;
  }

  private present(): void {
    if (this.deleted) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `${this.topic}-${this.partition} was deleted`);
  }

  /**
   * Appends one record batch as a producer sent it (see PartitionLog.append). Clients may
   * not append to internal topics: INVALID_TOPIC_EXCEPTION. Listeners hear of the bytes
   * once the append is acknowledged.
   */
  async append(batch: Buffer, options: PartitionAppendOptions = {}): Promise<AppendResult> {
    this.present();
    if (this.internal && (options.origin ?? 'client') === 'client') {
      throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${this.topic} is an internal topic; clients cannot produce to it`);
    }
    const bytes = batch.length;
    const result = await this.log.append(batch, { durable: options.durable ?? false });
    this.notify({ kind: 'append', lastOffset: result.lastOffset, bytes });
    return result;
  }

  /** Whole batches from the one holding `offset`, up to `maxBytes` but at least one; OFFSET_OUT_OF_RANGE outside [logStartOffset, highWatermark]. */
  async read(offset: bigint, maxBytes: number): Promise<Buffer> {
    this.present();
    return this.log.read(offset, maxBytes);
  }

  /** As `read`, for bytes that only pass through: in a reused buffer, handed back with `release` (see PartitionLog.readSlice). */
  async readSlice(offset: bigint, maxBytes: number): Promise<LogSlice> {
    this.present();
    return this.log.readSlice(offset, maxBytes);
  }

  /**
   * ListOffsets for one timestamp: -1 the high watermark, -2 (and -4) the log start, -3
   * the first record with the largest timestamp, otherwise the first record whose timestamp
   * is at or after it, or offset -1 when none is.
   */
  async listOffset(timestamp: bigint): Promise<ListedOffset> {
    this.present();
    if (timestamp === LIST_OFFSETS_TIMESTAMP.LATEST) return { offset: this.highWatermark, timestamp: -1n };
    if (timestamp === LIST_OFFSETS_TIMESTAMP.EARLIEST || timestamp === LIST_OFFSETS_TIMESTAMP.EARLIEST_LOCAL) return { offset: this.logStartOffset, timestamp: -1n };
    if (timestamp === LIST_OFFSETS_TIMESTAMP.MAX_TIMESTAMP) {
      if (this.logEndOffset === this.logStartOffset) return NOT_FOUND;
      const max = Math.max(...this.log.segmentInfos().map((s) => s.maxTimestamp));
      return this.lookup(max);
    }
    if (timestamp < 0n) throw new TidelogError('INVALID_REQUEST', `unsupported ListOffsets timestamp ${timestamp}`);
    return this.lookup(timestamp > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(timestamp));
  }

  private async lookup(timestamp: number): Promise<ListedOffset> {
    const found = await this.log.offsetForTimestamp(timestamp);
    return found ? { offset: found.offset, timestamp: BigInt(found.timestamp) } : NOT_FOUND;
  }

  /** Subscribes to appends and deletion; returns the unsubscribe. */
  listen(listener: PartitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  private notify(event: PartitionEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Called by the topic manager when the topic is deleted: wakes every waiter. */
  markDeleted(): void {
    this.deleted = true;
    this.notify({ kind: 'gone' });
  }
}
