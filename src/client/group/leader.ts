import type { Cluster } from '../cluster.js';
import { isTidelogError, type KafkaErrorName } from '../errors.js';
import type { Assignor, AssignorMember, TopicPartition } from './assignors.js';
import { decodeSubscription, encodeAssignment } from './consumer-protocol.js';

/**
 * The group leader's part of a rebalance: read every member's subscription, learn the
 * partition counts of the subscribed topics from fresh metadata (partitions may have been
 * added since they were cached), run the chosen assignor, and encode each member's share.
 *
 * A topic the metadata says is missing (deleted, not yet created, not allowed) is left out, as
 * Kafka's leader does; its subscribers get the rest. Failing to get metadata at all rejects. A member whose subscription can't be decoded is
 * given nothing rather than failing the whole group's rebalance.
 */
export async function assignAsLeader(
  cluster: Cluster,
  assignor: Assignor,
  members: readonly { memberId: string; metadata: Buffer }[],
): Promise<{ memberId: string; assignment: Buffer; partitions: TopicPartition[] }[]> {
  const subscriptions: AssignorMember[] = members.map(({ memberId, metadata }) => {
    try {
      return { memberId, topics: decodeSubscription(metadata).topics };
    } catch {
      return { memberId, topics: [] };
    }
  });
  const partitionCounts = await partitionCountsOf(cluster, [...new Set(subscriptions.flatMap((s) => s.topics))]);
  const assigned = assignor.assign(subscriptions, partitionCounts);
  return members.map(({ memberId }) => {
    const partitions = assigned.get(memberId) ?? [];
    return { memberId, assignment: encodeAssignment(partitions), partitions };
  });
}

async function partitionCountsOf(cluster: Cluster, topics: readonly string[]): Promise<Map<string, number>> {
  for (const topic of topics) cluster.invalidate(topic);
  const infos = await Promise.allSettled(topics.map((topic) => cluster.topic(topic)));
  const counts = new Map<string, number>();
  infos.forEach((info, i) => {
    if (info.status === 'fulfilled') counts.set(topics[i]!, info.value.partitions.length);
    else if (!(isTidelogError(info.reason) && TOPIC_ERRORS.has(info.reason.code))) throw info.reason;
  });
  return counts;
}

/** Errors that describe the topic itself; anything else (a broken connection) fails the assignment, to be retried. */
const TOPIC_ERRORS: ReadonlySet<KafkaErrorName> = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
]);
