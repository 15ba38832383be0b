import { Connection, type Consumer, type ConsumerBatch, type ConsumerRecord } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { buildBatch, type BatchOptions, type RecordInput } from '../../src/record/index.js';

/** Test helpers for the consumer tests: raw produce of exact batches, and bounded reading. */

/** Appends one batch built from `records` (with `options`, e.g. compression) and resolves with its base offset. */
export async function produceBatch(connection: Connection, topic: string, partition: number, records: RecordInput[], options: BatchOptions = {}): Promise<bigint> {
  const batch = buildBatch(records, { baseTimestamp: records[0]?.timestamp ?? Date.now(), ...options });
  const response = await connection.request(API_KEYS.Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  const result = response.responses[0]!.partitionResponses[0]!;
  if (result.errorCode !== 0) throw new Error(`Produce to ${topic}-${partition} failed with error code ${result.errorCode}`);
  return result.baseOffset;
}

/** `count` records whose values are `${prefix}-${i}` (keys `k${i}`), timestamps from `time` on. */
export function textRecords(prefix: string, count: number, time = Date.now()): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`), timestamp: time + i }));
}

/** Polls until `count` records arrived or `timeoutMs` passed (then returns what it has). */
export async function pollRecords<K, V>(consumer: Consumer<K, V>, count: number, timeoutMs = 15_000): Promise<ConsumerRecord<K, V>[]> {
  const out: ConsumerRecord<K, V>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    for (const batch of await consumer.poll({ maxWaitMs: Math.max(1, Math.min(500, deadline - Date.now())) })) out.push(...batch.records);
  }
  return out;
}

/** Iterates batches until `count` records arrived or `timeoutMs` passed (the abort ends the loop). */
export async function iterateRecords<K, V>(consumer: Consumer<K, V>, count: number, timeoutMs = 15_000): Promise<ConsumerRecord<K, V>[]> {
  const out: ConsumerRecord<K, V>[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for await (const batch of consumer.batches({ signal })) {
      out.push(...batch.records);
      if (out.length >= count) break;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  return out;
}

export function values<K, V>(records: ConsumerRecord<K, V>[] | ConsumerBatch<K, V>['records']): (V | null)[] {
  return records.map((r) => r.value);
}

export function text(buffer: Buffer | null): string | null {
  return buffer === null ? null : buffer.toString('utf8');
}
