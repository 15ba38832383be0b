import { API_KEYS } from '../protocol/index.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { errorFromCode, TidelogError } from './errors.js';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.js';

/**
 * What a client knows of the cluster: the brokers, each topic's partitions and leaders, each
 * group's coordinator, and one data connection per broker address (plus one for group
 * requests), opened on first use and opened again (with backoff) after it breaks. Producer,
 * Consumer and Admin each hold one.
 *
 * Metadata is cached per topic for `metadataMaxAgeMs` and dropped early by `invalidate`, which
 * callers do on NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION and LEADER_NOT_AVAILABLE, as
 * Kafka's clients do. A lookup that fails is never cached.
 */

export interface ClusterOptions extends Omit<ConnectionOptions, 'port' | 'host'> {
  /** Bootstrap brokers as "host:port"; or give `port` (and `host`) for one. */
  brokers?: string | readonly string[];
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Backoff for reconnects and retriable errors; see RetryOptions. */
  retry?: RetryOptions;
  /** Let Metadata create a missing topic (if the broker's auto.create.topics.enable allows); default true. */
  allowAutoTopicCreation?: boolean;
  /** How long topic metadata is trusted; default 300 000 (metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
}

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionInfo {
  partition: number;
  /** Node id of the leader; -1 while there is none. */
  leader: number;
  /** The partition's error code in the last Metadata response (0 when healthy). */
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  /** 32 hex digits; the zero uuid from brokers that don't report one. */
  topicId: string;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

/**
 * Group requests get their own connection to the coordinator, as in Kafka's clients: a broker
 * answers in request order, so a JoinGroup parked for a rebalance would otherwise hold back
 * every fetch, produce and metadata answer behind it on a shared connection.
 */
const COORDINATOR_PREFIX = 'coordinator:';

interface CachedTopic {
  info: Promise<TopicInfo>;
  expiresAt: number;
}

export class Cluster {
  private readonly bootstrap: { host: string; port: number }[];
  private readonly nodes = new Map<number, BrokerAddress>();
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly topicCache = new Map<string, CachedTopic>();
  private readonly coordinators = new Map<string, Promise<Connection>>();
  private closed = false;
  private readonly closeController = new AbortController();
  readonly retry: Required<RetryOptions>;
  private knownClusterId: string | null = null;

  constructor(private readonly options: ClusterOptions) {
    this.bootstrap = parseBrokers(options);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Creates a cluster view and opens the bootstrap connection, failing fast if no broker answers. */
  static async connect(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    await cluster.anyConnection();
    return cluster;
  }

  /**
   * Aborted by `close`, with the closed-client error as its reason. Pass it to withRetry (alone
   * or through AbortSignal.any) so retries stop at once when the client closes.
   */
  get signal(): AbortSignal {
    return this.closeController.signal;
  }

  get clusterId(): string | null {
    return this.knownClusterId;
  }

  /** The brokers named by the last Metadata response. */
  get brokers(): readonly BrokerAddress[] {
    return [...this.nodes.values()];
  }

  /** A live connection to some broker: a known node's, else a bootstrap broker's, trying each. */
  async anyConnection(): Promise<Connection> {
    this.assertOpen();
    for (const [address, pending] of this.connections) {
      if (address.startsWith(COORDINATOR_PREFIX)) continue;
      const connection = await pending.catch(() => null);
      if (connection && !connection.closed) return connection;
      this.connections.delete(address);
    }
    const candidates = [...this.nodes.values(), ...this.bootstrap];
    return withRetry(async () => {
      let lastError: unknown;
      for (const { host, port } of candidates) {
        try {
          return await this.connectionTo(host, port);
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    }, { ...this.retry, signal: this.signal });
  }

  /** The connection to broker `nodeId`, reconnecting (with backoff) if it broke. */
  async connection(nodeId: number): Promise<Connection> {
    this.assertOpen();
    let node = this.nodes.get(nodeId);
    if (node === undefined) {
      await this.refresh([]);
      node = this.nodes.get(nodeId);
    }
    if (node === undefined) throw new TidelogError('BROKER_NOT_AVAILABLE', `broker ${nodeId} is not in the cluster's metadata`);
    const { host, port } = node;
    return withRetry(() => this.connectionTo(host, port), { ...this.retry, signal: this.signal });
  }

  /** The topic's partitions and leaders, from cache or one Metadata request. */
  async topic(name: string): Promise<TopicInfo> {
    this.assertOpen();
    const cached = this.topicCache.get(name);
    if (cached && cached.expiresAt > Date.now()) return cached.info;
    return this.refreshTopics([name]).then((topics) => topics.get(name)!);
  }

  /** Several topics with one Metadata request for those not cached. Rejects on the first topic error. */
  async topics(names: readonly string[]): Promise<Map<string, TopicInfo>> {
    const now = Date.now();
    const missing = names.filter((name) => (this.topicCache.get(name)?.expiresAt ?? 0) <= now);
    if (missing.length > 0) await this.refreshTopics(missing);
    const result = new Map<string, TopicInfo>();
    for (const name of names) result.set(name, await this.topic(name));
    return result;
  }

  /** The connection to the current leader of a partition. */
  async leader(topic: string, partition: number): Promise<Connection> {
    const info = await this.topic(topic);
    const p = info.partitions[partition];
    if (p === undefined) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has ${info.partitions.length} partitions; there is no partition ${partition}`);
    if (p.leader < 0) {
      this.invalidate(topic);
      throw new TidelogError('LEADER_NOT_AVAILABLE', `${topic}-${partition} has no leader`);
    }
    return this.connection(p.leader);
  }

  /** Forgets cached metadata for `topic`, or for every topic. */
  invalidate(topic?: string): void {
    if (topic === undefined) this.topicCache.clear();
    else this.topicCache.delete(topic);
  }

  /**
   * Fetches Metadata for `topics` (all topics when null, none but the brokers when empty),
   * updates the broker list and the cache, and returns each topic's entry or rejects with its error.
   */
  async refreshTopics(topics: readonly string[]): Promise<Map<string, TopicInfo>> {
    const pending = this.refresh(topics);
    const expiresAt = Date.now() + (this.options.metadataMaxAgeMs ?? 300_000);
    for (const name of topics) {
      const info = pending.then((all) => topicEntry(all, name));
      this.topicCache.set(name, { info, expiresAt });
      info.catch(() => {
        if (this.topicCache.get(name)?.info === info) this.topicCache.delete(name);
      });
    }
    const all = await pending;
    const result = new Map<string, TopicInfo>();
    for (const name of topics) {
      result.set(name, topicEntry(all, name));
    }
    return result;
  }

  /** Every topic the broker lists (internal ones included), uncached. */
  async listTopics(): Promise<TopicInfo[]> {
    const all = await this.refresh(null);
    return [...all.values()].filter((entry): entry is TopicInfo => !(entry instanceof TidelogError));
  }

  /** The coordinator of `groupId` (FindCoordinator), cached until `invalidateCoordinator`. */
  async coordinator(groupId: string): Promise<Connection> {
    this.assertOpen();
    let pending = this.coordinators.get(groupId);
    if (pending === undefined) {
      pending = withRetry(() => this.findCoordinator(groupId), { ...this.retry, signal: this.signal });
      this.coordinators.set(groupId, pending);
      pending.catch(() => {
        if (this.coordinators.get(groupId) === pending) this.coordinators.delete(groupId);
      });
    }
    return pending.then((connection) => {
      if (!connection.closed) return connection;
      this.invalidateCoordinator(groupId);
      return this.coordinator(groupId);
    });
  }

  /** Forgets the coordinator of `groupId` (after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE). */
  invalidateCoordinator(groupId: string): void {
    this.coordinators.delete(groupId);
  }

  /** Closes every connection; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeController.abort(closedError());
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((pending) => pending.then((c) => c.close(), () => undefined)));
  }

  private async findCoordinator(groupId: string): Promise<Connection> {
    const connection = await this.anyConnection();
    const response = await connection.request(API_KEYS.FindCoordinator, { key: groupId, keyType: 0 });
    const error = errorFromCode(response.errorCode ?? 0, `FindCoordinator for group ${groupId}`, response.errorMessage);
    if (error) throw error;
    const { nodeId = -1, host = '', port = 0 } = response;
    this.nodes.set(nodeId, { nodeId, host, port });
    return this.connectionTo(host, port, COORDINATOR_PREFIX);
  }

  /** One Metadata request: topic name → info or the topic's error. */
  private async refresh(topics: readonly string[] | null): Promise<Map<string, TopicInfo | TidelogError>> {
    const connection = await this.anyConnection();
    const response = await connection.request(API_KEYS.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? true,
    });
    for (const broker of response.brokers) this.nodes.set(broker.nodeId, { nodeId: broker.nodeId, host: broker.host, port: broker.port });
    if (response.clusterId) this.knownClusterId = response.clusterId;
    const result = new Map<string, TopicInfo | TidelogError>();
    for (const topic of response.topics) {
      if (topic.name === null) continue;
      const error = errorFromCode(topic.errorCode, `Metadata for topic ${topic.name}`);
      if (error) {
        result.set(topic.name, error);
        continue;
      }
      if (topic.partitions.length === 0) {
        result.set(topic.name, new TidelogError('LEADER_NOT_AVAILABLE', `Metadata: topic ${topic.name} has no partitions yet`));
        continue;
      }
      const partitions = topic.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, errorCode: p.errorCode }))
        .sort((a, b) => a.partition - b.partition);
      result.set(topic.name, { name: topic.name, topicId: topic.topicId ?? '0'.repeat(32), isInternal: topic.isInternal ?? false, partitions });
    }
    return result;
  }

  /** `prefix` keeps a second, separate connection to the same broker (see COORDINATOR_PREFIX). */
  private connectionTo(host: string, port: number, prefix = ''): Promise<Connection> {
    this.assertOpen();
    const address = `${prefix}${host}:${port}`;
    const existing = this.connections.get(address);
    if (existing) {
      return existing.then((connection) => {
        if (!connection.closed) return connection;
        if (this.connections.get(address) === existing) this.connections.delete(address);
        return this.connectionTo(host, port, prefix);
      });
    }
    const pending = Connection.connect({ ...this.options, host, port });
    this.connections.set(address, pending);
    pending.catch(() => {
      if (this.connections.get(address) === pending) this.connections.delete(address);
    });
    return pending;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

function closedError(): TidelogError {
  return new TidelogError('NETWORK_EXCEPTION', 'the client is closed');
}

function topicEntry(all: Map<string, TopicInfo | TidelogError>, name: string): TopicInfo {
  const entry = all.get(name);
  if (entry instanceof TidelogError) throw entry;
  if (entry === undefined) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `Metadata: topic ${name} missing from the response`);
  return entry;
}

function parseBrokers(options: ClusterOptions): { host: string; port: number }[] {
  if (options.brokers === undefined) {
    if (options.port === undefined) throw new TypeError('give `brokers` ("host:port", ...) or a `port`');
    return [{ host: options.host ?? '127.0.0.1', port: options.port }];
  }
  const list = typeof options.brokers === 'string' ? options.brokers.split(',') : options.brokers;
  if (list.length === 0) throw new TypeError('`brokers` is empty');
  return list.map((entry) => {
    const match = /^\s*(.+):(\d{1,5})\s*$/.exec(entry);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) throw new TypeError(`broker address ${JSON.stringify(entry)} is not host:port`);
    return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
}
