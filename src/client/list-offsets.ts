import { API_KEYS } from '../protocol/index.js';
import type { Cluster, TopicInfo } from './cluster.js';
import { errorFromCode, isTidelogError, TidelogError } from './errors.js';
import { withRetry } from './retry.js';

/**
 * ListOffsets (v1-7) for any set of partitions: which offset a timestamp maps to, asked of each
 * partition's leader, one request per leader.
 *
 * Timestamps, as Kafka's ListOffsetsRequest names them: LATEST_TIMESTAMP (-1n) gives the high
 * watermark (the last stable offset with isolationLevel 1), EARLIEST_TIMESTAMP (-2n) the log
 * start offset, MAX_TIMESTAMP (-3n, brokers with v7) the record with the largest timestamp, and
 * t ≥ 0 the first offset whose record timestamp is ≥ t, or offset -1n when no record is that late.
 *
 * Errors: a partition whose leader moved or whose metadata is stale (NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, ...: the retriable ones) drops the topic's
 * cached metadata and is asked again after a backoff, with the cluster's retry options; the
 * partitions already answered are not asked again. Any other partition error rejects the call
 * with a TidelogError carrying the Kafka code.
 */

export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
export const MAX_TIMESTAMP = -3n;

export interface ListOffsetsEntry {
  topic: string;
  partition: number;
  timestamp: bigint;
}

export interface ListedOffset {
  /** -1n when a timestamp ≥ 0 is later than every record. */
  offset: bigint;
  /** The found record's timestamp; -1n for LATEST and EARLIEST. */
  timestamp: bigint;
}

export interface ListOffsetsOptions {
  /** 0 read_uncommitted (default), 1 read_committed: LATEST then means the last stable offset. */
  isolationLevel?: 0 | 1;
}

/** The key of a result in the map listOffsets returns. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Resolves with `${topic}:${partition}` → the listed offset, for every requested partition. */
export async function listOffsets(
  cluster: Cluster,
  requests: readonly ListOffsetsEntry[],
  options: ListOffsetsOptions = {},
): Promise<Map<string, ListedOffset>> {
  const isolationLevel = options.isolationLevel ?? 0;
  if (isolationLevel !== 0 && isolationLevel !== 1) throw new TidelogError('INVALID_REQUEST', `isolationLevel must be 0 or 1, not ${String(isolationLevel)}`);
  const pending = validated(requests);
  const results = new Map<string, ListedOffset>();
  if (pending.size === 0) return results;

  await withRetry(async () => {
    const byLeader = await groupByLeader(cluster, pending);
    const failures: TidelogError[] = [];
    const note = (topic: string, error: TidelogError) => {
      failures.push(error);
      if (error.retriable) cluster.invalidate(topic);
    };
    for (const [topic, error] of byLeader.unroutable) note(topic, error);
    await Promise.all(
      [...byLeader.leaders].map(async ([leader, entries]) => {
        try {
          for (const { entry, listed } of await askLeader(cluster, leader, entries, isolationLevel)) {
            const key = topicPartitionKey(entry.topic, entry.partition);
            if (listed instanceof TidelogError) note(entry.topic, listed);
            else {
              results.set(key, listed);
              pending.delete(key);
            }
          }
        } catch (error) {
          if (!isTidelogError(error)) throw error;
          failures.push(error); // a broken connection: every partition of this leader is asked again
        }
      }),
    );
    const fatal = failures.find((error) => !error.retriable);
    if (fatal) throw fatal;
    if (failures.length > 0) throw failures[0]!;
  }, cluster.retry);
  return results;
}

/** Deduplicated requests by key; rejects malformed ones before anything is sent. */
function validated(requests: readonly ListOffsetsEntry[]): Map<string, ListOffsetsEntry> {
  const byKey = new Map<string, ListOffsetsEntry>();
  for (const entry of requests) {
    const { topic, partition, timestamp } = entry;
    if (typeof topic !== 'string' || topic.length === 0) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `ListOffsets: topic must be a non-empty string, not ${JSON.stringify(topic)}`);
    if (!Number.isInteger(partition) || partition < 0) throw new TidelogError('INVALID_REQUEST', `ListOffsets: partition of ${topic} must be an integer ≥ 0, not ${String(partition)}`);
    if (typeof timestamp !== 'bigint' || timestamp < MAX_TIMESTAMP) {
      throw new TidelogError('INVALID_REQUEST', `ListOffsets: timestamp for ${topic}-${partition} must be a bigint ≥ 0n, or -1n (latest), -2n (earliest), -3n (max timestamp); got ${String(timestamp)}`);
    }
    const key = topicPartitionKey(topic, partition);
    const seen = byKey.get(key);
    if (seen !== undefined && seen.timestamp !== timestamp) {
      throw new TidelogError('INVALID_REQUEST', `ListOffsets: ${topic}-${partition} is listed twice with different timestamps`);
    }
    byKey.set(key, { topic, partition, timestamp });
  }
  return byKey;
}

interface Routing {
  leaders: Map<number, ListOffsetsEntry[]>;
  /** Topics whose metadata failed or whose partition has no leader right now. */
  unroutable: [string, TidelogError][];
}

async function groupByLeader(cluster: Cluster, pending: Map<string, ListOffsetsEntry>): Promise<Routing> {
  const routing: Routing = { leaders: new Map(), unroutable: [] };
  const topics = [...new Set([...pending.values()].map((entry) => entry.topic))];
  const infos = await Promise.all(topics.map((topic) => cluster.topic(topic).then((info): TopicInfo | Error => info, (error: unknown) => asError(error))));
  const byTopic = new Map(topics.map((topic, i) => [topic, infos[i]]));
  for (const entry of pending.values()) {
    const info = byTopic.get(entry.topic);
    if (info instanceof Error) {
      if (!isTidelogError(info)) throw info;
      routing.unroutable.push([entry.topic, info]);
      continue;
    }
    const partition = info?.partitions[entry.partition];
    if (partition === undefined) {
      const count = info?.partitions.length ?? 0;
      routing.unroutable.push([entry.topic, new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `ListOffsets: topic ${entry.topic} has ${count} partitions; there is no partition ${entry.partition}`)]);
      continue;
    }
    if (partition.leader < 0) {
      routing.unroutable.push([entry.topic, new TidelogError('LEADER_NOT_AVAILABLE', `ListOffsets: ${entry.topic}-${entry.partition} has no leader`)]);
      continue;
    }
    const list = routing.leaders.get(partition.leader) ?? [];
    list.push(entry);
    routing.leaders.set(partition.leader, list);
  }
  return routing;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** One ListOffsets request to one leader; each entry's answer or its partition error. */
async function askLeader(
  cluster: Cluster,
  leader: number,
  entries: ListOffsetsEntry[],
  isolationLevel: 0 | 1,
): Promise<{ entry: ListOffsetsEntry; listed: ListedOffset | TidelogError }[]> {
  const connection = await cluster.connection(leader);
  const version = connection.versionOf(API_KEYS.ListOffsets);
  // v1 has no isolation level: it can only answer read_uncommitted.
  if (isolationLevel === 1 && version < 2) throw new TidelogError('UNSUPPORTED_VERSION', `ListOffsets v${version} cannot read committed offsets (isolationLevel 1 needs v2+)`);
  if (entries.some((entry) => entry.timestamp === MAX_TIMESTAMP) && version < 7) {
    throw new TidelogError('UNSUPPORTED_VERSION', `ListOffsets v${version} cannot look up the max timestamp (-3n needs v7+)`);
  }
  const topics = new Map<string, { partitionIndex: number; timestamp: bigint; currentLeaderEpoch: number }[]>();
  for (const { topic, partition, timestamp } of entries) {
    const partitions = topics.get(topic) ?? [];
    partitions.push({ partitionIndex: partition, timestamp, currentLeaderEpoch: -1 });
    topics.set(topic, partitions);
  }
  const response = await connection.request(API_KEYS.ListOffsets, {
    replicaId: -1,
    ...(version >= 2 ? { isolationLevel } : {}),
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  });
  const answers = new Map<string, (typeof response.topics)[number]['partitions'][number]>();
  for (const topic of response.topics) {
    for (const partition of topic.partitions) answers.set(topicPartitionKey(topic.name, partition.partitionIndex), partition);
  }
  return entries.map((entry) => {
    const answer = answers.get(topicPartitionKey(entry.topic, entry.partition));
    if (answer === undefined) {
      return { entry, listed: new TidelogError('UNKNOWN_SERVER_ERROR', `ListOffsets: broker ${leader} left ${entry.topic}-${entry.partition} out of its response`) };
    }
    const error = errorFromCode(answer.errorCode, `ListOffsets ${entry.topic}-${entry.partition}`);
    return { entry, listed: error ?? { offset: answer.offset ?? -1n, timestamp: answer.timestamp ?? -1n } };
  });
}
