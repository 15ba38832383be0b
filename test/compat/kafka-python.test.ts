import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkaPartitionForKey, runPython, storedBatchMagics, uniqueTopic } from './tools.js';

/**
 * kafka-python 2.0.2 (Debian's python3-kafka, run with /usr/bin/python3) against a broker
 * process: KafkaAdminClient, KafkaProducer and a KafkaConsumer without a group (assign +
 * seek). The script is test/compat/python/kafka_python_roundtrip.py.
 */

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await shutdownBroker(broker);
});

interface Result {
  admin_api_version: number[];
  create_errors: [string, number][];
  topics_after_create: string[];
  configs: Record<string, { value: string; source: number }>;
  delete_errors: [string, number][];
  topics_after_delete: string[];
  producer_api_version: number[];
  producer_magic: number;
  sent: [number, number][];
  received: [number, number, string, string, number][];
  end_offsets: Record<string, number>;
  beginning_offsets: Record<string, number>;
  offsets_for_times: Record<string, number | null>;
  offsets_for_times_after_all: Record<string, number | null>;
  from_offset_1: number[];
}

describe('kafka-python', () => {
  it('admin, keyed produce (magic 2, murmur2) and a group-less consumer', async () => {
    const topic = uniqueTopic('kpy');
    const doomed = uniqueTopic('kpy-doomed');
    const partitions = 3;
    const messages = Array.from({ length: 30 }, (_, i) => [`key-${i}`, `value-${i}`, 1_600_000_000_000 + i * 1000] as const);
    const { result } = await runPython<Result>('kafka_python_roundtrip.py', { bootstrap: broker.address, topic, doomed, partitions, messages });

    // It infers broker 2.3 from our ApiVersions (Fetch v11 advertised; CLIENTS.md §1.2 item 2).
    expect(result.admin_api_version).toEqual([2, 3, 0]);
    expect(result.producer_api_version).toEqual([2, 3, 0]);

    // Admin.
    expect(result.create_errors).toEqual(
      [
        [topic, 0],
        [doomed, 0],
      ].sort(),
    );
    expect(result.topics_after_create).toEqual(expect.arrayContaining([topic, doomed]));
    expect(result.configs).toEqual({ 'retention.ms': { value: '7200000', source: 1 }, 'cleanup.policy': { value: 'delete', source: 5 } });
    expect(result.delete_errors).toEqual([[doomed, 0]]);
    expect(result.topics_after_delete).toContain(topic);
    expect(result.topics_after_delete).not.toContain(doomed);

    // Produce: record batches v2, on the partitions Kafka's murmur2 partitioner picks, with
    // offsets counting up per partition in send order.
    expect(result.producer_magic).toBe(2);
    const nextOffset = new Map<number, number>();
    const expectedSent = messages.map(([key]): [number, number] => {
      const p = kafkaPartitionForKey(key, partitions);
      const offset = nextOffset.get(p) ?? 0;
      nextOffset.set(p, offset + 1);
      return [p, offset];
    });
    expect(result.sent).toEqual(expectedSent);
    for (let p = 0; p < partitions; p++) {
      const magics = await storedBatchMagics(broker.dataDir, topic, p);
      expect(magics.length).toBeGreaterThan(0);
      expect(new Set(magics)).toEqual(new Set([2]));
    }

    // Consume: every record, once, with its key, value and timestamp.
    const byPosition = (a: readonly [number, number, ...unknown[]], b: readonly [number, number, ...unknown[]]) => a[0] - b[0] || a[1] - b[1];
    const expectedRecords: [number, number, string, string, number][] = messages.map(([key, value, ts], i) => [...expectedSent[i]!, key, value, ts]);
    expect([...result.received].sort(byPosition)).toEqual([...expectedRecords].sort(byPosition));
    for (let p = 0; p < partitions; p++) {
      expect(result.end_offsets[String(p)]).toBe(nextOffset.get(p) ?? 0);
      expect(result.beginning_offsets[String(p)]).toBe(0);
    }

    // ListOffsets v1 by timestamp.
    for (const [p, offset, , , ts] of expectedRecords) expect(result.offsets_for_times[`${p}:${ts}`], `${p}:${ts}`).toBe(offset);
    expect(result.offsets_for_times_after_all).toEqual({ '0': null, '1': null, '2': null });

    // seek() to offset 1 of partition 0.
    const p0 = nextOffset.get(0) ?? 0;
    expect(result.from_offset_1).toEqual(Array.from({ length: Math.max(0, p0 - 1) }, (_, i) => i + 1));
  });
});
