import type { RecordHeader } from '../../record/index.js';
import type { TopicPartition } from '../group/assignors.js';

/**
 * What a consumer hands to the application. Offsets are bigint, as everywhere in the public
 * API; timestamps are milliseconds since the epoch (CreateTime as the producer set it, or the
 * broker's LogAppendTime for topics configured so).
 */

export type { TopicPartition };

export interface ConsumerRecord<K, V> {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  /** null when the record has no key. */
  key: K | null;
  /** null for a tombstone. */
  value: V | null;
  /** In wire order; a key may repeat. Values are views of the fetched bytes. */
  headers: readonly RecordHeader[];
}

/** The records of one partition from one fetch, in offset order. */
export interface ConsumerBatch<K, V> {
  topic: string;
  partition: number;
  /** Never empty. */
  records: ConsumerRecord<K, V>[];
  /** The partition's high watermark when the broker answered: the offset after its last committed record. */
  highWatermark: bigint;
  /** The offset of the last record in `records`. */
  lastOffset: bigint;
}

/** Where `seek` moves a partition: an offset, either end of the log, or the first record at or after a time. */
export type SeekTarget = bigint | 'beginning' | 'end' | { timestamp: number };

export interface PollOptions {
  /** Aborting rejects the pending call with the signal's reason (see Consumer). */
  signal?: AbortSignal;
  /** How long to wait for records before resolving with none; default: the consumer's `maxWaitMs`. */
  maxWaitMs?: number;
}

export interface IterateOptions {
  /** Aborting rejects the pending `next()` with the signal's reason and ends the iteration. */
  signal?: AbortSignal;
}

/** The key partitions are tracked by. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
