import type { ClusterOptions } from '../cluster.js';
import { TidelogError } from '../errors.js';
import type { Assignor } from '../group/assignors.js';
import type { Serializer } from '../serializers.js';

/**
 * The consumer's options with Kafka's defaults (the Java consumer's names in comments), and
 * the check that turns a bad value into an INVALID_CONFIG error at `Consumer.create` rather
 * than a puzzling failure later.
 */

/** Only the reading half of a Serializer is needed. */
export type Deserializer<T> = Pick<Serializer<T>, 'deserialize'>;

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface ConsumerOptions<K, V> extends ClusterOptions {
  /** Default: the key bytes as they are, a view of the fetched response (no copy). */
  keyDeserializer?: Deserializer<K>;
  /** Default: the value bytes as they are, a view of the fetched response (no copy). */
  valueDeserializer?: Deserializer<V>;
  /** The consumer group; needed for `subscribe` and for commits. */
  groupId?: string;
  /**
   * Where to start a partition the group has no committed offset for, or whose position fell
   * out of the log (auto.offset.reset): 'latest' (default), 'earliest', or 'none' to throw
   * OFFSET_OUT_OF_RANGE instead.
   */
  autoOffsetReset?: OffsetResetPolicy;
  /** Commit consumed offsets periodically, on rebalance and on close (enable.auto.commit); default true with a groupId. */
  autoCommit?: boolean;
  /** auto.commit.interval.ms; default 5000. */
  autoCommitIntervalMs?: number;
  /** How long the broker may hold a Fetch for `minBytes` (fetch.max.wait.ms); default 500. */
  maxWaitMs?: number;
  /** fetch.min.bytes; default 1. */
  minBytes?: number;
  /** fetch.max.bytes, per Fetch request; default 52 428 800. */
  maxBytes?: number;
  /** max.partition.fetch.bytes; default 1 048 576. */
  maxPartitionBytes?: number;
  /** isolation.level; default 'read_uncommitted'. */
  isolationLevel?: IsolationLevel;
  /** check.crcs: verify each batch's CRC-32C; default true. */
  checkCrcs?: boolean;
  /** Group membership (session.timeout.ms etc.); the group module's defaults when absent. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  assignors?: Assignor[];
  /** Static membership (group.instance.id). */
  groupInstanceId?: string | null;
}

export interface ResolvedConsumerOptions<K, V> {
  keyDeserializer: Deserializer<K> | null;
  valueDeserializer: Deserializer<V> | null;
  groupId: string | null;
  autoOffsetReset: OffsetResetPolicy;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxPartitionBytes: number;
  isolationLevel: 0 | 1;
  checkCrcs: boolean;
}

export function resolveOptions<K, V>(options: ConsumerOptions<K, V>): ResolvedConsumerOptions<K, V> {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const groupId = options.groupId ?? null;
  if (groupId !== null && (typeof groupId !== 'string' || groupId.length === 0)) throw invalid(`groupId must be a non-empty string, not ${JSON.stringify(groupId)}`);
  const autoOffsetReset = options.autoOffsetReset ?? 'latest';
  if (!['earliest', 'latest', 'none'].includes(autoOffsetReset)) throw invalid(`autoOffsetReset must be 'earliest', 'latest' or 'none', not ${JSON.stringify(autoOffsetReset)}`);
  const isolation = options.isolationLevel ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') throw invalid(`isolationLevel must be 'read_uncommitted' or 'read_committed', not ${JSON.stringify(isolation)}`);
  if (options.autoCommit === true && groupId === null) throw invalid('autoCommit needs a groupId');
  for (const name of ['keyDeserializer', 'valueDeserializer'] as const) {
    const d = options[name];
    if (d !== undefined && typeof d?.deserialize !== 'function') throw invalid(`${name} must have a deserialize(bytes) function`);
  }
  return {
    keyDeserializer: options.keyDeserializer ?? null,
    valueDeserializer: options.valueDeserializer ?? null,
    groupId,
    autoOffsetReset,
    autoCommit: options.autoCommit ?? groupId !== null,
    autoCommitIntervalMs: integer(options, 'autoCommitIntervalMs', 5000, 1),
    maxWaitMs: integer(options, 'maxWaitMs', 500, 0),
    minBytes: integer(options, 'minBytes', 1, 0),
    maxBytes: integer(options, 'maxBytes', 52_428_800, 1),
    maxPartitionBytes: integer(options, 'maxPartitionBytes', 1_048_576, 1),
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    checkCrcs: options.checkCrcs ?? true,
  };
}

function integer<K, V>(options: ConsumerOptions<K, V>, name: keyof ConsumerOptions<K, V>, fallback: number, min: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw invalid(`${String(name)} must be an integer from ${min} to 2147483647, not ${JSON.stringify(value)}`);
  }
  return value;
}

function invalid(message: string): TidelogError {
  return new TidelogError('INVALID_CONFIG', `Consumer: ${message}`);
}
