import { API_KEYS } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { errorFromCode, isTidelogError, TidelogError, type KafkaErrorName } from '../errors.js';
import { withRetry } from '../retry.js';
import type { TopicPartition } from './assignors.js';

/**
 * A group's committed offsets, read with OffsetFetch (v1-7: one group per request) and written
 * with OffsetCommit (v2-8), both sent to the group's coordinator.
 *
 * Retries: the coordinator moving or starting (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS) forgets the cached coordinator and asks again, as does a
 * broken connection, with the cluster's backoff. Any other error, group-level or per
 * partition, rejects with a TidelogError carrying the Kafka code: a commit from a stale
 * generation is ILLEGAL_GENERATION, not something to retry blindly, since the partitions may
 * belong to another member by now.
 */

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1n when the group has committed nothing for the partition. */
  offset: bigint;
  metadata: string | null;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: bigint;
  metadata?: string | null;
}

/** Who commits: a member of the current generation. Absent: an admin commit (generation -1), which the broker accepts only for a group without members. */
export interface CommittingMember {
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

const COORDINATOR_ERRORS: ReadonlySet<KafkaErrorName> = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
const CONNECTION_ERRORS: ReadonlySet<KafkaErrorName> = new Set(['NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']);

/** Carries an error past withRetry untouched: retriable by Kafka's table, yet not worth retrying here. */
class GiveUp {
  constructor(readonly error: unknown) {}
}

/** Runs one request attempt against the coordinator with the retry policy above. */
async function withCoordinator<T>(cluster: Cluster, groupId: string, attempt: (connection: Connection) => Promise<T>): Promise<T> {
  try {
    return await withRetry(async () => {
      const connection = await cluster.coordinator(groupId);
      try {
        return await attempt(connection);
      } catch (error) {
        if (isTidelogError(error) && COORDINATOR_ERRORS.has(error.code)) {
          cluster.invalidateCoordinator(groupId);
          throw error;
        }
        if (isTidelogError(error) && CONNECTION_ERRORS.has(error.code)) throw error;
        throw new GiveUp(error);
      }
    }, cluster.retry);
  } catch (error) {
    throw error instanceof GiveUp ? error.error : error;
  }
}

/** Partitions grouped by topic, topics in order of first appearance. */
function byTopic<T extends { topic: string }>(entries: readonly T[]): Map<string, T[]> {
  const topics = new Map<string, T[]>();
  for (const entry of entries) {
    let list = topics.get(entry.topic);
    if (list === undefined) topics.set(entry.topic, (list = []));
    list.push(entry);
  }
  return topics;
}

/**
 * The group's committed offset for each partition asked for, or for every partition it has
 * committed when `partitions` is null (OffsetFetch v2+).
 */
export async function fetchCommittedOffsets(cluster: Cluster, groupId: string, partitions: readonly TopicPartition[] | null): Promise<CommittedOffset[]> {
  const topics = partitions === null ? null : [...byTopic(partitions)].map(([name, list]) => ({ name, partitionIndexes: list.map((p) => p.partition) }));
  if (topics !== null && topics.length === 0) return [];
  return withCoordinator(cluster, groupId, async (connection) => {
    if (topics === null && connection.versionOf(API_KEYS.OffsetFetch) < 2) {
      throw new TidelogError('UNSUPPORTED_VERSION', `OffsetFetch for every partition of group ${groupId} needs v2; the broker at ${connection.address} speaks v1`);
    }
    const response = await connection.request(API_KEYS.OffsetFetch, { groupId, topics, requireStable: false });
    const groupError = errorFromCode(response.errorCode, `OffsetFetch for group ${groupId}`);
    if (groupError) throw groupError;
    const result: CommittedOffset[] = [];
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const error = errorFromCode(p.errorCode, `OffsetFetch for group ${groupId}, ${topic.name}-${p.partitionIndex}`);
        if (error) throw error;
        result.push({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata });
      }
    }
    return result;
  });
}

/** Commits `offsets` for the group; resolves once the coordinator has stored them all. */
export async function commitOffsets(cluster: Cluster, groupId: string, offsets: readonly OffsetToCommit[], member?: CommittingMember): Promise<void> {
  if (offsets.length === 0) return;
  for (const o of offsets) {
    if (typeof o.offset !== 'bigint') throw new TypeError(`offset for ${o.topic}-${o.partition} must be a bigint, got ${typeof o.offset}`);
  }
  const topics = [...byTopic(offsets)].map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: o.metadata ?? '' })),
  }));
  await withCoordinator(cluster, groupId, async (connection) => {
    const version = connection.versionOf(API_KEYS.OffsetCommit);
    const groupInstanceId = member?.groupInstanceId ?? null;
    if (groupInstanceId !== null && version < 7) {
      throw new TidelogError('UNSUPPORTED_VERSION', `a static member's OffsetCommit needs v7; the broker at ${connection.address} speaks v${version}`);
    }
    const response = await connection.request(API_KEYS.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: member?.generationId ?? -1,
      memberId: member?.memberId ?? '',
      groupInstanceId,
      topics,
    });
    const failed: string[] = [];
    let first: TidelogError | null = null;
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const error = errorFromCode(p.errorCode, `OffsetCommit for group ${groupId}`);
        if (error === null) continue;
        first ??= error;
        failed.push(`${topic.name}-${p.partitionIndex}: ${error.code}`);
      }
    }
    if (first !== null) throw new TidelogError(first.code, `OffsetCommit for group ${groupId} failed for ${failed.join(', ')}`);
  });
}
