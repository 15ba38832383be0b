import { isTidelogError, TidelogError, type Clock } from '../../common/index.js';
import { BATCH_LENGTH, buildBatch, decodeRecords, LOG_OVERHEAD, readBatchHeader, type RecordInput } from '../../record/index.js';
import type { TopicManager } from '../topic-manager.js';
import { decodeOffsetsRecord, encodeOffsetsRecord, offsetsPartitionFor, type CommittedOffset, type OffsetsRecord, type StoredGroup } from './group-records.js';

/** The internal topic holding committed offsets and group metadata. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/**
 * How __consumer_offsets is created: our own compaction (below) decides what is kept, so
 * time and size retention are off; segments of 100 MiB as Kafka's offsets.topic.segment.bytes;
 * batches up to 16 MiB so one large group's metadata still fits in a record.
 */
export const OFFSETS_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'segment.bytes': String(100 * 1024 * 1024),
  'max.message.bytes': String(16 * 1024 * 1024),
};

/** Records are written in batches of about this many key and value bytes. */
const BATCH_TARGET_BYTES = 512 * 1024;
const READ_BYTES = 1024 * 1024;
export const DEFAULT_COMPACTION_BYTES = 4 * 1024 * 1024;

export type OffsetStoreStatus = 'loading' | 'ready' | 'failed' | 'closed';

export interface OffsetStoreOptions {
  topics: TopicManager;
  clock: Clock;
  /** Partitions of __consumer_offsets when the store has to create it (offsets.topic.num.partitions). */
  numPartitions: number;
  /**
   * A partition is compacted once its log is larger than this and than twice what its last
   * compaction kept; 4 MiB unless set.
   */
  compactionBytes?: number;
  onWarning?: (message: string, cause?: unknown) => void;
}

interface GroupEntry {
  metadata: StoredGroup | null;
  /** topic -> partition -> offset */
  offsets: Map<string, Map<number, CommittedOffset>>;
}

interface PartitionWriter {
  /** Writes issued and not yet applied. */
  inflight: Set<Promise<void>>;
  /** Set while a compaction runs: new writes wait for it. */
  compacting: Promise<void> | null;
  /** Bytes the last compaction left. */
  keptBytes: number;
}

export interface CompactionResult {
  partition: number;
  keptRecords: number;
  deletedSegments: number;
  deletedBytes: number;
}

/**
 * Committed offsets and group metadata, durable in `__consumer_offsets` (records laid out as
 * in group-records.ts) and served from memory. Its state is exactly what replaying the log
 * gives: a write is appended with fsync, and applied to memory only once acknowledged; at
 * start the log is replayed into the same state.
 *
 * Compaction: when a partition's log outgrows its bound, the store rolls it, writes a
 * snapshot of the partition's live records (latest value of every key, no tombstones) and
 * then deletes every segment below the snapshot. Writes wait while this runs, so the snapshot
 * and the log agree. A crash at any point leaves a suffix of the log that still holds a full
 * snapshot, or the whole old log: either replays to the same state, because a key's
 * tombstone always lies after its last value.
 */
export class OffsetStore {
  private readonly groups = new Map<string, GroupEntry>();
  private readonly writers = new Map<number, PartitionWriter>();
  private statusValue: OffsetStoreStatus = 'loading';
  private creating: Promise<number> | null = null;
  /** Every write() not yet settled, from the moment it is called. */
  private readonly writes = new Set<Promise<void>>();
  private readonly compactionBytes: number;

  constructor(private readonly options: OffsetStoreOptions) {
    this.compactionBytes = options.compactionBytes ?? DEFAULT_COMPACTION_BYTES;
  }

  get status(): OffsetStoreStatus {
    return this.statusValue;
  }

  private warn(message: string, cause?: unknown): void {
    this.options.onWarning?.(message, cause);
  }

  // ---- Loading ----------------------------------------------------------------------------

  /** Replays every partition of __consumer_offsets into memory; status goes to 'ready' (or 'failed'). */
  async load(): Promise<void> {
    const topic = this.options.topics.topic(OFFSETS_TOPIC);
    try {
      if (topic) for (let p = 0; p < topic.numPartitions && this.statusValue === 'loading'; p++) await this.replay(p);
      if (this.statusValue === 'loading') this.statusValue = 'ready';
    } catch (error) {
      if (this.statusValue !== 'loading') return; // closed meanwhile
      this.statusValue = 'failed';
      this.warn(`could not load ${OFFSETS_TOPIC}; group coordination is unavailable`, error);
    }
  }

  private async replay(p: number): Promise<void> {
    const partition = this.options.topics.partition(OFFSETS_TOPIC, p);
    let offset = partition.logStartOffset;
    while (offset < partition.logEndOffset && this.statusValue === 'loading') {
      const bytes = await partition.read(offset, READ_BYTES);
      const from = offset;
      let pos = 0;
      while (pos + LOG_OVERHEAD <= bytes.length) {
        const size = bytes.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
        if (pos + size > bytes.length) break;
        const batch = bytes.subarray(pos, pos + size);
        const header = readBatchHeader(batch);
        for (const record of decodeRecords(batch, header)) {
          if (!record.key) continue;
          try {
            const decoded = decodeOffsetsRecord(record.key, record.value);
            if (decoded) this.apply(decoded);
            else this.warn(`${OFFSETS_TOPIC}-${p} offset ${record.offset}: a key version this broker does not use; skipped`);
          } catch (error) {
            this.warn(`${OFFSETS_TOPIC}-${p} offset ${record.offset}: unreadable record skipped`, error);
          }
        }
        offset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
        pos += size;
      }
      if (offset === from) throw new TidelogError('KAFKA_STORAGE_ERROR', `${OFFSETS_TOPIC}-${p}: no whole batch at offset ${offset} below the log end`);
    }
  }

  // ---- State ------------------------------------------------------------------------------

  private apply(record: OffsetsRecord): void {
    let entry = this.groups.get(record.groupId);
    if (record.kind === 'group') {
      if (record.value) {
        entry ??= this.newEntry(record.groupId);
        entry.metadata = record.value;
      } else if (entry) {
        entry.metadata = null;
      }
    } else if (record.value) {
      entry ??= this.newEntry(record.groupId);
      let partitions = entry.offsets.get(record.topic);
      if (!partitions) entry.offsets.set(record.topic, (partitions = new Map()));
      partitions.set(record.partition, record.value);
    } else if (entry) {
      const partitions = entry.offsets.get(record.topic);
      partitions?.delete(record.partition);
      if (partitions?.size === 0) entry.offsets.delete(record.topic);
    }
    if (entry && entry.metadata === null && entry.offsets.size === 0) this.groups.delete(record.groupId);
  }

  private newEntry(groupId: string): GroupEntry {
    const entry: GroupEntry = { metadata: null, offsets: new Map() };
    this.groups.set(groupId, entry);
    return entry;
  }

  /** Every group with persisted metadata or offsets. */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** The group as last persisted, or undefined. */
  groupMetadata(groupId: string): StoredGroup | undefined {
    return this.groups.get(groupId)?.metadata ?? undefined;
  }

  /** The group's committed offsets, topic -> partition -> offset (empty if none). */
  offsets(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.groups.get(groupId)?.offsets ?? new Map();
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  // ---- Writing ----------------------------------------------------------------------------

  private usable(): void {
    if (this.statusValue === 'closed') throw new TidelogError('COORDINATOR_NOT_AVAILABLE', 'the group coordinator is shutting down');
    if (this.statusValue !== 'ready') throw new TidelogError('COORDINATOR_LOAD_IN_PROGRESS', `${OFFSETS_TOPIC} is still loading`);
  }

  /** The partition count of __consumer_offsets, creating the topic on first use. */
  private partitionCount(): Promise<number> {
    const existing = this.options.topics.topic(OFFSETS_TOPIC);
    if (existing) return Promise.resolve(existing.numPartitions);
    this.creating ??= this.options.topics
      .createTopic({ name: OFFSETS_TOPIC, numPartitions: this.options.numPartitions, configs: OFFSETS_TOPIC_CONFIGS }, { origin: 'broker' })
      .then(
        (created) => created.numPartitions,
        (error) => {
          const raced = isTidelogError(error, 'TOPIC_ALREADY_EXISTS') && this.options.topics.topic(OFFSETS_TOPIC);
          if (raced) return raced.numPartitions;
          throw error;
        },
      )
      .finally(() => (this.creating = null));
    return this.creating;
  }

  /** The partition of __consumer_offsets a group's records go to (creating the topic if needed). */
  async partitionFor(groupId: string): Promise<number> {
    return offsetsPartitionFor(groupId, await this.partitionCount());
  }

  private writer(p: number): PartitionWriter {
    let writer = this.writers.get(p);
    if (!writer) this.writers.set(p, (writer = { inflight: new Set(), compacting: null, keptBytes: 0 }));
    return writer;
  }

  /**
   * Persists `records` (each to its group's partition, in order), fsynced, and applies them
   * to memory once acknowledged. Rejects, applying nothing of the failed batch, if the log
   * cannot take them.
   */
  write(records: readonly OffsetsRecord[]): Promise<void> {
    try {
      this.usable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (records.length === 0) return Promise.resolve();
    const written = this.writeAll(records);
    const tracked = written.catch(() => {});
    this.writes.add(tracked);
    void tracked.then(() => this.writes.delete(tracked));
    return written;
  }

  private async writeAll(records: readonly OffsetsRecord[]): Promise<void> {
    const count = await this.partitionCount();
    const byPartition = new Map<number, OffsetsRecord[]>();
    for (const record of records) {
      const p = offsetsPartitionFor(record.groupId, count);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(record);
    }
    await Promise.all([...byPartition].map(([p, list]) => this.writeToPartition(p, list)));
  }

  private async writeToPartition(p: number, records: readonly OffsetsRecord[]): Promise<void> {
    const writer = this.writer(p);
    while (writer.compacting) await writer.compacting;
    this.usable();
    const done = this.appendAndApply(p, records);
    writer.inflight.add(done);
    try {
      await done;
    } finally {
      writer.inflight.delete(done);
      this.maybeCompact(p);
    }
  }

  /** Issues the appends at once (so their log order is call order), applying each batch as it is acknowledged. */
  private async appendAndApply(p: number, records: readonly OffsetsRecord[]): Promise<void> {
    const partition = this.options.topics.partition(OFFSETS_TOPIC, p);
    const now = this.options.clock.now();
    const pending = chunk(records).map((part) => ({
      part: part.map((p) => p.record),
      appended: partition.append(buildBatch(part.map((p) => p.input), { baseTimestamp: now }), { durable: true, origin: 'broker' }),
    }));
    let failure: unknown = null;
    for (const { part, appended } of pending) {
      try {
        await appended;
        if (failure === null) for (const record of part) this.apply(record);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  // ---- Compaction -------------------------------------------------------------------------

  private maybeCompact(p: number): void {
    const writer = this.writer(p);
    if (writer.compacting || this.statusValue !== 'ready') return;
    const size = this.options.topics.partition(OFFSETS_TOPIC, p).log.size;
    if (size <= Math.max(this.compactionBytes, 2 * writer.keptBytes)) return;
    this.compact(p).catch((error) => this.warn(`compaction of ${OFFSETS_TOPIC}-${p} failed; it is retried after the next write`, error));
  }

  /** Rewrites partition `p` as a snapshot of its live records and drops what lies before it. */
  compact(p: number): Promise<CompactionResult> {
    const writer = this.writer(p);
    if (writer.compacting) return writer.compacting.then(() => this.compact(p));
    const run = (async (): Promise<CompactionResult> => {
      await Promise.allSettled([...writer.inflight]);
      this.usable();
      const log = this.options.topics.partition(OFFSETS_TOPIC, p).log;
      await log.rollNow();
      const snapshotStart = log.logEndOffset;
      const count = await this.partitionCount();
      const live = this.liveRecords((groupId) => offsetsPartitionFor(groupId, count) === p);
      await this.appendAndApply(p, live);
      const deleted = await log.deleteSegmentsBelow(snapshotStart);
      writer.keptBytes = log.size;
      return { partition: p, keptRecords: live.length, ...deleted };
    })();
    writer.compacting = run.then(
      () => {},
      () => {},
    );
    void writer.compacting.then(() => (writer.compacting = null));
    return run;
  }

  /** The latest value of every live key of the groups `include` picks: group metadata first, then offsets. */
  private liveRecords(include: (groupId: string) => boolean): OffsetsRecord[] {
    const records: OffsetsRecord[] = [];
    for (const [groupId, entry] of this.groups) {
      if (!include(groupId)) continue;
      if (entry.metadata) records.push({ kind: 'group', groupId, value: entry.metadata });
      for (const [topic, partitions] of entry.offsets) {
        for (const [partition, value] of partitions) records.push({ kind: 'offset', groupId, topic, partition, value });
      }
    }
    return records;
  }

  // ---- Lifecycle --------------------------------------------------------------------------

  /** Resolves once no write, compaction or topic creation is running. */
  async idle(): Promise<void> {
    for (;;) {
      const busy: Promise<unknown>[] = [...this.writes, ...[...this.writers.values()].flatMap((w) => [...w.inflight, ...(w.compacting ? [w.compacting] : [])])];
      if (this.creating) busy.push(this.creating);
      if (busy.length === 0) return;
      await Promise.allSettled(busy);
    }
  }

  /** Refuses new writes, stops a load under way, and waits for what is running. */
  async close(): Promise<void> {
    this.statusValue = 'closed';
    await this.idle();
  }
}

interface EncodedRecord {
  record: OffsetsRecord;
  input: RecordInput;
}

/** Encodes records and splits them into batches of about BATCH_TARGET_BYTES (a larger record goes alone). */
function chunk(records: readonly OffsetsRecord[]): EncodedRecord[][] {
  const parts: EncodedRecord[][] = [];
  let current: EncodedRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const input = encodeOffsetsRecord(record);
    const size = input.key.length + (input.value?.length ?? 0) + 32;
    if (current.length > 0 && bytes + size > BATCH_TARGET_BYTES) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ record, input });
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
