import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkaPartitionForKey, kcatConsume, runPython, storedBatchCodecs, uniqueTopic } from './tools.js';

/**
 * confluent-kafka 1.7.0 on librdkafka 2.0.2 (Debian's python3-confluent-kafka, run with
 * /usr/bin/python3) against a broker process: AdminClient, a Producer with delivery reports
 * and a Consumer that only assign()s. The script is test/compat/python/confluent_roundtrip.py.
 */

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await shutdownBroker(broker);
});

interface Report {
  error: string | null;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

interface Result {
  topics: Record<string, number[]>;
  brokers: [number, string, number][];
  controller_id: number;
  configs: Record<string, { value: string; source: number; is_default: boolean } | null>;
  topics_after_delete: string[];
  unflushed: number;
  reports: Report[];
  received: [number, number, string, string][];
  eof_partitions: number[];
  consumer_errors: string[];
  watermarks: Record<string, [number, number]>;
  logs: string[];
}

describe('confluent-kafka', () => {
  it('admin, produce with delivery reports, and an assign()-only consumer', async () => {
    const topic = uniqueTopic('ck');
    const doomed = uniqueTopic('ck-doomed');
    const partitions = 4;
    const messages = Array.from({ length: 40 }, (_, i) => [`key-${i}`, `value-${i}`] as const);
    const { result } = await runPython<Result>('confluent_roundtrip.py', { bootstrap: broker.address, topic, doomed, partitions, messages });
    const context = `librdkafka logs: ${JSON.stringify(result.logs)}`;

    // Admin: created with 3 partitions, grown to 4; configs; the other topic deleted.
    expect(result.topics[topic]).toEqual([0, 1, 2, 3]);
    expect(result.brokers).toEqual([[0, '127.0.0.1', broker.port]]);
    expect(result.controller_id).toBe(0);
    expect(result.configs['retention.ms']).toEqual({ value: '7200000', source: 1, is_default: false });
    expect(result.configs['cleanup.policy']).toEqual({ value: 'delete', source: 5, is_default: true });
    expect(result.topics_after_delete).toContain(topic);
    expect(result.topics_after_delete).not.toContain(doomed);

    // Produce: every message delivered, on the murmur2 partition, offsets counting up per partition.
    expect(result.unflushed, context).toBe(0);
    expect(result.reports).toHaveLength(messages.length);
    expect(result.reports.filter((r) => r.error !== null), context).toEqual([]);
    const byPartition = new Map<number, Report[]>();
    for (const report of result.reports) {
      expect(report.partition, report.key).toBe(kafkaPartitionForKey(report.key, partitions));
      byPartition.set(report.partition, [...(byPartition.get(report.partition) ?? []), report]);
    }
    for (const [, reports] of byPartition) {
      // Reports of one partition arrive in produce order.
      expect(reports.map((r) => r.offset)).toEqual(reports.map((_, i) => i));
      const sentOrder = messages.filter(([key]) => reports.some((r) => r.key === key)).map(([key]) => key);
      expect(reports.map((r) => r.key)).toEqual(sentOrder);
    }

    // Consume with assign() and no group join: every record exactly once, then EOF everywhere.
    expect(result.consumer_errors, context).toEqual([]);
    const byPosition = (a: readonly [number, number, ...unknown[]], b: readonly [number, number, ...unknown[]]) => a[0] - b[0] || a[1] - b[1];
    const delivered = result.reports.map((r): [number, number, string, string] => [r.partition, r.offset, r.key, r.value]);
    expect([...result.received].sort(byPosition)).toEqual(delivered.sort(byPosition));
    expect(result.eof_partitions).toEqual([0, 1, 2, 3]);
    for (let p = 0; p < partitions; p++) {
      expect(result.watermarks[String(p)]).toEqual([0, byPartition.get(p)?.length ?? 0]);
    }
  });
  it('compression.codec gzip, snappy and zstd: the batches are stored compressed', async () => {
    // librdkafka compresses gzip and snappy only if the broker's Produce range reaches v0
    // (the broker advertises 0-7 for that, answering v0-2 with UNSUPPORTED_FOR_MESSAGE_FORMAT),
    // and zstd if it has Produce v7 and Fetch v10. lz4 also needs FindCoordinator v0 to be
    // advertised (librdkafka's LZ4 feature), so it is stored as lz4 or, without group APIs, plain.
    const codecs = ['gzip', 'snappy', 'zstd', 'lz4'] as const;
    const topics = Object.fromEntries(codecs.map((codec) => [codec, uniqueTopic(`ck-${codec}`)]));
    const messages = Array.from({ length: 50 }, (_, i) => [`key-${i}`, `${'compressible '.repeat(30)}${i}`] as const);
    const { result } = await runPython<{ codecs: Record<string, { errors: string[]; unflushed: number }>; logs: string[] }>('confluent_compressed.py', {
      bootstrap: broker.address,
      topics,
      messages,
    });
    // librdkafka logs "Broker does not support compression type ..." when it drops a codec.
    const context = `librdkafka compression logs: ${JSON.stringify(result.logs)}`;
    for (const codec of codecs) {
      expect(result.codecs[codec], `${codec} ${context}`).toEqual({ errors: [], unflushed: 0 });
      const read = await kcatConsume(broker.address, topics[codec]!);
      expect(read.map((m) => [m.key, m.payload]), codec).toEqual(messages);
      const stored = await storedBatchCodecs(broker.dataDir, topics[codec]!, 0);
      expect(stored.length, codec).toBeGreaterThan(0);
      for (const one of stored) expect(one, `${codec} ${context}`).toBe(codec);
    }
  });
});
