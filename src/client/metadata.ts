import { API_KEYS } from '../protocol/index.js';
import type { Connection } from './connection.js';
import { errorFromCode, TidelogError } from './errors.js';

/**
 * Partition counts per topic, from Metadata, cached for the life of the client. A failed lookup
 * is not cached, so the next call asks again. Single broker for now: leaders are not tracked,
 * every partition is sent to the one connection.
 */
export class TopicMetadata {
  private readonly counts = new Map<string, Promise<number>>();

  constructor(
    private readonly connection: Connection,
    private readonly allowAutoTopicCreation = true,
  ) {}

  /** The topic's partition count; rejects with the topic's Kafka error (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
  partitionCount(topic: string): Promise<number> {
    let count = this.counts.get(topic);
    if (count === undefined) {
      count = this.fetch(topic);
      this.counts.set(topic, count);
      count.catch(() => this.counts.delete(topic));
    }
    return count;
  }

  private async fetch(topic: string): Promise<number> {
    const response = await this.connection.request(API_KEYS.Metadata, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: this.allowAutoTopicCreation,
    });
    const entry = response.topics.find((t) => t.name === topic);
    if (entry === undefined) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `Metadata: topic ${topic} missing from the response`);
    const error = errorFromCode(entry.errorCode, `Metadata for topic ${topic}`);
    if (error) throw error;
    if (entry.partitions.length === 0) throw new TidelogError('LEADER_NOT_AVAILABLE', `Metadata: topic ${topic} has no partitions yet`);
    return entry.partitions.length;
  }
}
