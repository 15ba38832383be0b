import { join, resolve } from 'node:path';
import { isTidelogError, SerialLane, systemClock, TidelogError, type Clock } from '../common/index.js';
import {
  DEFAULT_BROKER_CONFIG,
  resolveEffectiveTopicConfig,
  type BrokerConfig,
  type EffectiveTopicConfig,
  type TopicConfig,
  type TopicConfigEntry,
} from '../config/index.js';
import { partitionDirName, PartitionLog, realFileSystem, type FileSystem, type RecoveryReport, type ScanPlacement } from '../log/index.js';
import { forEachBounded } from './concurrency.js';
import { DelayedFetches, type FetchWaitOutcome } from './delayed-fetch.js';
import { fetchRecords, type FetchPartitionResult, type FetchRequest } from './fetch.js';
import { prepareDataDir } from './data-dir.js';
import { newTopicId, writeTopicRecords, type TopicRecord } from './metadata-files.js';
import { Partition, type Origin } from './partition.js';
import { RetentionScheduler } from './retention-scheduler.js';
import { collisionKey, isInternalTopicName, validateTopicName } from './topic-name.js';

export interface TopicManagerOptions {
  /** Defaults to the broker's log.dirs. */
  dataDir?: string;
  broker?: BrokerConfig;
  clock?: Clock;
  fs?: FileSystem;
  scanPlacement?: ScanPlacement;
  /** Partition logs opened (or closed) at once; 16 unless set. */
  openConcurrency?: number;
  /** Worth a log line but not an error: orphan directories removed, retention failures. */
  onWarning?: (message: string, cause?: unknown) => void;
}

export interface TopicDescription {
  name: string;
  /** 32 hex digits, as the protocol's uuid fields take it; all zeros for a validateOnly create. */
  topicId: string;
  internal: boolean;
  numPartitions: number;
  replicationFactor: number;
  /** The topic's own overrides. */
  configs: Readonly<Record<string, string>>;
}

export interface CreateTopicRequest {
  name: string;
  /** -1 or left out: num.partitions. */
  numPartitions?: number;
  /** -1 or left out: default.replication.factor. On one broker only 1 is possible. */
  replicationFactor?: number;
  configs?: Readonly<Record<string, string>>;
}

export interface AdminOptions {
  /** Check everything, change nothing. */
  validateOnly?: boolean;
  /** 'client' (the default) for requests off the network. */
  origin?: Origin;
}

export interface CreatedTopic extends TopicDescription {
  /** The effective configuration, for CreateTopics v5+. */
  configEntries: TopicConfigEntry[];
}

export interface PartitionRecovery {
  topic: string;
  partition: number;
  report: RecoveryReport;
}

export interface WaitForDataRequest {
  /** The first offset the caller has not read, per partition. */
  positions: readonly { topic: string; partition: number; fromOffset: bigint }[];
  minBytes: number;
  maxWaitMs: number;
  signal?: AbortSignal;
}

/** Kafka has no limit; a typo of a billion partitions would make a billion directories. */
export const MAX_PARTITIONS_PER_TOPIC = 10_000;
const ZERO_TOPIC_ID = '0'.repeat(32);

interface TopicState {
  record: TopicRecord;
  partitions: Partition[];
  effective: EffectiveTopicConfig;
}

/**
 * Every topic and partition of the broker over one data directory: the topic registry
 * (see metadata-files.ts), each partition's open log, delayed fetches and the retention
 * schedule. Topic changes run one at a time; reads and appends go straight to the logs.
 */
export class TopicManager {
  private readonly topics = new Map<string, TopicState>();
  private readonly namesById = new Map<string, string>();
  private readonly admin = new SerialLane();
  private readonly delayed = new DelayedFetches();
  private readonly retention: RetentionScheduler;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly dataDir: string,
    readonly clusterId: string,
    private broker: BrokerConfig,
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly options: TopicManagerOptions,
    readonly recoveryReports: readonly PartitionRecovery[],
  ) {
    this.retention = new RetentionScheduler(() => this.runRetention().then(() => {}));
  }

  static async open(options: TopicManagerOptions = {}): Promise<TopicManager> {
    const broker = options.broker ?? DEFAULT_BROKER_CONFIG;
    const fs = options.fs ?? realFileSystem;
    const dataDir = resolve(options.dataDir ?? broker.values['log.dirs']);
    const warn = options.onWarning ?? (() => {});
    const { records, clusterId } = await prepareDataDir(fs, dataDir, warn);

    const states: TopicState[] = [];
    for (const record of records) {
      let effective: EffectiveTopicConfig;
      try {
        effective = resolveEffectiveTopicConfig(broker, record.configs);
      } catch (error) {
        throw new TidelogError('INVALID_CONFIG', `topic ${record.name}: ${(error as Error).message}`, { cause: error });
      }
      states.push({ record, partitions: [], effective });
    }
    const all = states.flatMap((s) => Array.from({ length: s.record.partitions }, (_, p) => ({ state: s, p })));
    const reports: PartitionRecovery[] = [];
    const clock = options.clock ?? systemClock;
    const concurrency = options.openConcurrency ?? 16;
    try {
      await forEachBounded(all, concurrency, async ({ state, p }) => {
        const log = await PartitionLog.open({
          dir: join(dataDir, partitionDirName(state.record.name, p)),
          config: state.effective.config,
          fs,
          clock,
          scanPlacement: options.scanPlacement,
        });
        state.partitions[p] = new Partition(state.record.name, p, state.record.internal, log);
        reports.push({ topic: state.record.name, partition: p, report: log.recoveryReport });
      });
    } catch (error) {
      await forEachBounded(
        states.flatMap((s) => s.partitions.filter(Boolean)),
        concurrency,
        (partition) => partition.log.close(),
      ).catch(() => {});
      throw error;
    }

    reports.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const manager = new TopicManager(dataDir, clusterId, broker, fs, clock, options, reports);
    for (const state of states) manager.register(state);
    manager.retention.start(broker.values['log.retention.check.interval.ms']);
    return manager;
  }

  get nodeId(): number {
    return this.broker.values['node.id'];
  }

  get brokerConfig(): BrokerConfig {
    return this.broker;
  }

  private get concurrency(): number {
    return this.options.openConcurrency ?? 16;
  }

  private warn(message: string, cause?: unknown): void {
    this.options.onWarning?.(message, cause);
  }

  private usable(): void {
    if (this.closing) throw new TidelogError('KAFKA_STORAGE_ERROR', 'the broker is shutting down');
  }

  private register(state: TopicState): void {
    this.topics.set(state.record.name, state);
    this.namesById.set(state.record.topicId.toString('hex'), state.record.name);
  }

  private describeState(state: TopicState): TopicDescription {
    const { record } = state;
    return { name: record.name, topicId: record.topicId.toString('hex'), internal: record.internal, numPartitions: record.partitions, replicationFactor: 1, configs: { ...record.configs } };
  }

  private state(name: string): TopicState {
    const state = this.topics.get(name);
    if (!state) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
    return state;
  }

  // ---- Queries ------------------------------------------------------------------------

  /** Every topic, by name. */
  listTopics(): TopicDescription[] {
    return [...this.topics.values()].map((s) => this.describeState(s)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The topic, or undefined. */
  topic(name: string): TopicDescription | undefined {
    const state = this.topics.get(name);
    return state && this.describeState(state);
  }

  /** Whether the topic exists; cheap enough for every produce request. */
  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  /** The topic, or UNKNOWN_TOPIC_OR_PARTITION. */
  describeTopic(name: string): TopicDescription {
    return this.describeState(this.state(name));
  }

  /** The name of the topic with this id (32 hex digits), or undefined. */
  topicNameById(topicId: string): string | undefined {
    return this.namesById.get(topicId.toLowerCase());
  }

  /** One partition, or UNKNOWN_TOPIC_OR_PARTITION. */
  partition(topic: string, partition: number): Partition {
    const found = this.topics.get(topic)?.partitions[partition];
    if (!found) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
    return found;
  }

  /** The configuration in force for a topic. */
  effectiveConfig(topic: string): TopicConfig {
    return this.state(topic).effective.config;
  }

  /**
   * DescribeConfigs for a topic: every key (or those of `keys` that exist; Kafka ignores
   * unknown ones), with value, source and synonyms.
   */
  describeConfigs(topic: string, keys?: readonly string[] | null): TopicConfigEntry[] {
    const entries = this.state(topic).effective.entries;
    if (!keys) return entries.map((e) => ({ ...e, synonyms: [...e.synonyms] }));
    const wanted = new Set(keys);
    return entries.filter((e) => wanted.has(e.name)).map((e) => ({ ...e, synonyms: [...e.synonyms] }));
  }

  // ---- Topic changes --------------------------------------------------------------------

  /** CreateTopics for one topic. With validateOnly, every check runs and nothing is created. */
  createTopic(request: CreateTopicRequest, options: AdminOptions = {}): Promise<CreatedTopic> {
    return this.admin.run(async () => {
      this.usable();
      const origin = options.origin ?? 'client';
      const { name } = request;
      validateTopicName(name);
      if (origin === 'client' && isInternalTopicName(name)) {
        throw new TidelogError('INVALID_TOPIC_EXCEPTION', `topic names starting with "__" are reserved for the broker's internal topics`);
      }
      if (this.topics.has(name)) throw new TidelogError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`);
      const collides = [...this.topics.keys()].find((existing) => collisionKey(existing) === collisionKey(name));
      if (collides) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `topic ${name} collides with ${collides}: '.' and '_' cannot tell them apart`);
      const numPartitions = request.numPartitions === undefined || request.numPartitions === -1 ? this.broker.values['num.partitions'] : request.numPartitions;
      checkPartitionCount(numPartitions);
      const replicationFactor =
        request.replicationFactor === undefined || request.replicationFactor === -1 ? this.broker.values['default.replication.factor'] : request.replicationFactor;
      if (replicationFactor !== 1) {
        throw new TidelogError('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor} is impossible: this cluster has a single broker`);
      }
      const configs = { ...(request.configs ?? {}) };
      const effective = resolveEffectiveTopicConfig(this.broker, configs);
      const record: TopicRecord = {
        name,
        topicId: newTopicId((id) => this.namesById.has(id.toString('hex'))),
        partitions: numPartitions,
        configs,
        internal: isInternalTopicName(name),
      };
      const state: TopicState = { record, partitions: [], effective };
      if (options.validateOnly) return { ...this.describeState(state), topicId: ZERO_TOPIC_ID, configEntries: effective.entries };

      state.partitions = await this.openNewPartitions(record, 0, numPartitions, effective.config);
      await this.saveOrUndo([...this.records(), record], state.partitions);
      this.register(state);
      return { ...this.describeState(state), configEntries: effective.entries };
    });
  }

  /**
   * Metadata and Produce's auto-creation: the topic if it exists; else, when
   * auto.create.topics.enable, a new one with num.partitions; else UNKNOWN_TOPIC_OR_PARTITION.
   */
  async getOrAutoCreateTopic(name: string): Promise<{ topic: TopicDescription; created: boolean }> {
    const existing = this.topic(name);
    if (existing) return { topic: existing, created: false };
    if (!this.broker.values['auto.create.topics.enable']) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
    try {
      const created = await this.createTopic({ name });
      return { topic: this.describeTopic(created.name), created: true };
    } catch (error) {
      const raced = isTidelogError(error, 'TOPIC_ALREADY_EXISTS') && this.topic(name);
      if (raced) return { topic: raced, created: false };
      throw error;
    }
  }

  /** DeleteTopics for one topic: unregistered first, then its directories are removed. */
  deleteTopic(name: string, options: Pick<AdminOptions, 'origin'> = {}): Promise<{ name: string; topicId: string }> {
    return this.admin.run(async () => {
      this.usable();
      const state = this.state(name);
      if ((options.origin ?? 'client') === 'client') {
        // Kafka answers TOPIC_DELETION_DISABLED (73) from DeleteTopics v3 on; our error table lacks it.
        if (!this.broker.values['delete.topic.enable']) throw new TidelogError('INVALID_REQUEST', 'topic deletion is disabled (delete.topic.enable=false)');
        if (state.record.internal) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${name} is an internal topic; clients cannot delete it`);
      }
      await this.save(this.records().filter((r) => r.name !== name));
      this.topics.delete(name);
      this.namesById.delete(state.record.topicId.toString('hex'));
      for (const partition of state.partitions) partition.markDeleted();
      await forEachBounded(state.partitions, this.concurrency, (p) => p.log.delete()).catch((error) =>
        this.warn(`could not remove every directory of deleted topic ${name}; they go at the next start`, error),
      );
      return { name, topicId: state.record.topicId.toString('hex') };
    });
  }

  /** CreatePartitions: grows a topic to `totalCount` partitions; fewer or as many is INVALID_PARTITIONS. */
  createPartitions(name: string, totalCount: number, options: AdminOptions = {}): Promise<TopicDescription> {
    return this.admin.run(async () => {
      this.usable();
      const state = this.state(name);
      if ((options.origin ?? 'client') === 'client' && state.record.internal) {
        throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${name} is an internal topic; clients cannot add partitions to it`);
      }
      const current = state.record.partitions;
      if (!Number.isInteger(totalCount) || totalCount <= current) {
        throw new TidelogError('INVALID_PARTITIONS', `topic ${name} has ${current} partitions; the new count must be greater, not ${totalCount}`);
      }
      checkPartitionCount(totalCount);
      const grown: TopicRecord = { ...state.record, partitions: totalCount };
      if (options.validateOnly) return this.describeState({ ...state, record: grown });
      const added = await this.openNewPartitions(grown, current, totalCount, state.effective.config);
      await this.saveOrUndo(
        this.records().map((r) => (r.name === name ? grown : r)),
        added,
      );
      state.record = grown;
      state.partitions.push(...added);
      return this.describeState(state);
    });
  }

  /**
   * A new broker configuration (e.g. reloaded): re-resolves every topic's configuration and
   * gives each log its new one; the retention schedule follows. Nothing changes if any
   * topic's overrides no longer resolve.
   */
  updateBrokerConfig(broker: BrokerConfig): Promise<void> {
    return this.admin.run(async () => {
      this.usable();
      const next = [...this.topics.values()].map((state) => ({ state, effective: resolveEffectiveTopicConfig(broker, state.record.configs) }));
      const interval = broker.values['log.retention.check.interval.ms'];
      const restart = interval !== this.broker.values['log.retention.check.interval.ms'];
      this.broker = broker;
      for (const { state, effective } of next) {
        const changed = JSON.stringify(effective.config) !== JSON.stringify(state.effective.config);
        state.effective = effective;
        if (changed) for (const partition of state.partitions) partition.log.setConfig(effective.config);
      }
      if (restart) this.retention.start(interval);
    });
  }

  private records(): TopicRecord[] {
    return [...this.topics.values()].map((s) => s.record);
  }

  private async save(records: readonly TopicRecord[]): Promise<void> {
    try {
      await writeTopicRecords(this.fs, this.dataDir, records);
    } catch (cause) {
      throw new TidelogError('KAFKA_STORAGE_ERROR', `could not write the topic registry in ${this.dataDir}: ${(cause as Error).message}`, { cause });
    }
  }

  /** Saves the registry; if that fails, deletes the partitions just made for it. */
  private async saveOrUndo(records: readonly TopicRecord[], made: readonly Partition[]): Promise<void> {
    try {
      await this.save(records);
    } catch (error) {
      await forEachBounded(made, this.concurrency, (p) => p.log.delete()).catch(() => {});
      throw error;
    }
  }

  /** Opens partitions [from, to) of a topic in fresh directories; on failure removes those it made. */
  private async openNewPartitions(record: TopicRecord, from: number, to: number, config: TopicConfig): Promise<Partition[]> {
    const made: Partition[] = [];
    const indexes = Array.from({ length: to - from }, (_, i) => from + i);
    try {
      await forEachBounded(indexes, this.concurrency, async (p) => {
        const dir = join(this.dataDir, partitionDirName(record.name, p));
        // Whatever is there belongs to no registered topic: never let it become this one's data.
        if (await this.fs.exists(dir)) await this.fs.removeDir(dir);
        const log = await PartitionLog.open({ dir, config, fs: this.fs, clock: this.clock, scanPlacement: this.options.scanPlacement });
        made[p - from] = new Partition(record.name, p, record.internal, log);
      });
    } catch (error) {
      await forEachBounded(made.filter(Boolean), this.concurrency, (p) => p.log.delete()).catch(() => {});
      throw new TidelogError('KAFKA_STORAGE_ERROR', `could not create the partitions of ${record.name}: ${(error as Error).message}`, { cause: error });
    }
    return made;
  }

  // ---- Fetch and retention ----------------------------------------------------------------

  /** Kafka's Fetch over many partitions, long-polling for minBytes (see fetch.ts). */
  fetch(request: FetchRequest): Promise<FetchPartitionResult[]> {
    return fetchRecords((topic, partition) => this.partition(topic, partition), this.delayed, request);
  }

  /**
   * Waits, without polling, until `minBytes` arrive at or past the positions, `maxWaitMs`
   * passes, or `signal` fires. A partition that does not exist makes it 'ready' at once:
   * the caller's next read reports it.
   */
  waitForData(request: WaitForDataRequest): Promise<FetchWaitOutcome> {
    const positions = [];
    for (const { topic, partition, fromOffset } of request.positions) {
      const found = this.topics.get(topic)?.partitions[partition];
      if (!found) return Promise.resolve('ready');
      positions.push({ partition: found, fromOffset });
    }
    return this.delayed.wait({ positions, minBytes: request.minBytes, maxWaitMs: request.maxWaitMs, signal: request.signal });
  }

  /** Delayed fetches waiting now (for tests and metrics). */
  get pendingFetches(): number {
    return this.delayed.size;
  }

  /** Append listeners over all partitions (for tests: zero when no fetch waits). */
  get appendListenerCount(): number {
    let count = 0;
    for (const state of this.topics.values()) for (const p of state.partitions) count += p.listenerCount;
    return count;
  }

  /** One retention pass over every log; the scheduler runs it every log.retention.check.interval.ms. */
  async runRetention(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    const total = { deletedSegments: 0, deletedBytes: 0 };
    const partitions = [...this.topics.values()].flatMap((s) => s.partitions);
    for (const partition of partitions) {
      if (this.closing) break;
      if (partition.isDeleted) continue;
      try {
        const result = await partition.log.applyRetention();
        total.deletedSegments += result.deletedSegments;
        total.deletedBytes += result.deletedBytes;
      } catch (error) {
        if (!partition.isDeleted && !this.closing) this.warn(`retention of ${partition.topic}-${partition.partition} failed`, error);
      }
    }
    return total;
  }

  /** Stops retention, settles waiting fetches, waits for topic changes and closes every log cleanly. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.delayed.close();
      await this.retention.stop();
      await this.admin.run(async () => {});
      const partitions = [...this.topics.values()].flatMap((s) => s.partitions);
      await forEachBounded(partitions, this.concurrency, (p) => p.log.close());
    })();
    return this.closing;
  }
}

function checkPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new TidelogError('INVALID_PARTITIONS', `number of partitions must be at least 1, not ${count}`);
  if (count > MAX_PARTITIONS_PER_TOPIC) throw new TidelogError('INVALID_PARTITIONS', `${count} partitions is more than the ${MAX_PARTITIONS_PER_TOPIC} a topic may have`);
}
