import type { Cluster, TopicInfo } from '../cluster.js';
import { isTidelogError, TidelogError } from '../errors.js';
import type { TopicPartition } from './types.js';

/**
 * Argument checks for the consumer's public calls, so a wrong type or an unknown topic fails
 * at the call with a message naming it, rather than later inside a fetch.
 */

export function validateTopics(topics: readonly unknown[]): string[] {
  if (!Array.isArray(topics) || topics.length === 0) throw new TidelogError('INVALID_REQUEST', 'subscribe: give a topic name or a non-empty list of them');
  for (const topic of topics) {
    if (typeof topic !== 'string' || topic.length === 0) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `subscribe: topic names must be non-empty strings, not ${JSON.stringify(topic)}`);
  }
  return [...new Set(topics as string[])];
}

/** Each entry's topic and partition checked; duplicates dropped (first wins). */
export function validatePartitions(call: string, partitions: readonly TopicPartition[]): TopicPartition[] {
  if (!Array.isArray(partitions)) throw new TidelogError('INVALID_REQUEST', `${call}: expected a list of { topic, partition }`);
  const seen = new Set<string>();
  const out: TopicPartition[] = [];
  for (const tp of partitions) {
    const { topic, partition } = (tp ?? {}) as Partial<TopicPartition>;
    if (typeof topic !== 'string' || topic.length === 0) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${call}: topic must be a non-empty string, not ${JSON.stringify(topic)}`);
    if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0) {
      throw new TidelogError('INVALID_REQUEST', `${call}: partition of ${topic} must be an integer ≥ 0, not ${String(partition)}`);
    }
    const key = `${topic}:${partition}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ topic, partition });
  }
  return out;
}

/**
 * Looks the topics up (creating them if the cluster allows auto-creation and the broker does),
 * and checks that each partition asked for exists.
 */
export async function checkTopics(cluster: Cluster, topics: readonly string[], autoCreate: boolean, partitions: readonly TopicPartition[] = []): Promise<Map<string, TopicInfo>> {
  let infos: Map<string, TopicInfo>;
  try {
    infos = await lookUp(cluster, topics);
  } catch (error) {
    if (isTidelogError(error, 'UNKNOWN_TOPIC_OR_PARTITION')) {
      const hint = autoCreate ? 'and the broker did not create it' : 'and allowAutoTopicCreation is false';
      throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `${error.message} (the topic does not exist ${hint})`, { cause: error });
    }
    throw error;
  }
  for (const { topic, partition } of partitions) {
    const count = infos.get(topic)?.partitions.length ?? 0;
    if (partition >= count) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has ${count} partitions; there is no partition ${partition}`);
  }
  return infos;
}

/** A topic the broker is just creating has no leaders for a moment: ask again a few times. */
async function lookUp(cluster: Cluster, topics: readonly string[]): Promise<Map<string, TopicInfo>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await cluster.topics(topics);
    } catch (error) {
      if (!isTidelogError(error, 'LEADER_NOT_AVAILABLE') || attempt >= cluster.retry.retries) throw error;
      for (const topic of topics) cluster.invalidate(topic);
      await new Promise((resolve) => setTimeout(resolve, cluster.retry.initialBackoffMs));
    }
  }
}

export function describePartitions(partitions: readonly TopicPartition[]): string {
  if (partitions.length === 0) return 'none';
  const shown = partitions.slice(0, 10).map((tp) => `${tp.topic}-${tp.partition}`);
  return partitions.length > 10 ? `${shown.join(', ')}, and ${partitions.length - 10} more` : shown.join(', ');
}
