import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { KCAT, kcatBase, kcatConsume, runOk, storedBatchCodecs, uniqueTopic } from './tools.js';

/**
 * kcat 1.7.1 (librdkafka 2.0.2) against a broker process: metadata, keyed produce to an
 * auto-created topic, group-less consume from the beginning and from an offset, offsets by
 * timestamp, headers and compression codecs. Balanced consumers (-G) are in groups-librdkafka.test.ts.
 */

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await shutdownBroker(broker);
});

/** Produces `lines` (one message each, `key:value` when keyed) with kcat -P to one partition. */
async function kcatProduce(topic: string, lines: string[], extra: string[] = []): Promise<void> {
  await runOk(KCAT, [...kcatBase(broker.address), '-P', '-t', topic, '-p', '0', ...extra], { input: lines.join('\n') + '\n' });
}

describe('kcat', () => {
  it('-L -J lists this broker as the only one, leading every partition', async () => {
    const topic = uniqueTopic('kcat-meta');
    await kcatProduce(topic, ['x']); // auto-creates it with num.partitions=1
    const { stdout } = await runOk(KCAT, [...kcatBase(broker.address), '-L', '-J']);
    const metadata = JSON.parse(stdout) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
    };
    expect(metadata.brokers).toEqual([{ id: 0, name: broker.address }]);
    expect(metadata.controllerid).toBe(0);
    const listed = metadata.topics.find((t) => t.topic === topic);
    expect(listed).toBeDefined();
    expect(listed!.partitions).toEqual([{ partition: 0, leader: 0, replicas: [{ id: 0 }], isrs: [{ id: 0 }] }]);

    // One topic only, by name.
    const one = JSON.parse((await runOk(KCAT, [...kcatBase(broker.address), '-L', '-J', '-t', topic])).stdout) as typeof metadata;
    expect(one.topics.map((t) => t.topic)).toEqual([topic]);
  });

  it('-P -K: to an auto-created topic, then -C -o beginning -e reads back exactly what was written', async () => {
    const topic = uniqueTopic('kcat-keyed');
    const written = Array.from({ length: 25 }, (_, i) => ({ key: `key-${i % 7}`, value: `value ${i} ${'x'.repeat(i)}` }));
    await kcatProduce(
      topic,
      written.map((m) => `${m.key}:${m.value}`),
      ['-K:'],
    );
    const read = await kcatConsume(broker.address, topic);
    expect(read.map((m) => ({ partition: m.partition, offset: m.offset, key: m.key, value: m.payload }))).toEqual(
      written.map((m, i) => ({ partition: 0, offset: i, key: m.key, value: m.value })),
    );
    expect(read.every((m) => m.tstype === 'create' && m.ts > 0)).toBe(true);
  });

  it('-C -o <offset> -e starts at that offset; -o -N reads the last N', async () => {
    const topic = uniqueTopic('kcat-offset');
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    // Two kcat runs make at least two batches, so offset 7 lies inside a later batch than offset 3.
    await kcatProduce(topic, values.slice(0, 5));
    await kcatProduce(topic, values.slice(5));
    for (const start of [3, 7]) {
      const read = await kcatConsume(broker.address, topic, { partition: 0, offset: start });
      expect(read.map((m) => [m.offset, m.payload])).toEqual(values.slice(start).map((v, i) => [start + i, v]));
    }
    const tail = await kcatConsume(broker.address, topic, { partition: 0, offset: -3 });
    expect(tail.map((m) => m.payload)).toEqual(['v7', 'v8', 'v9']);
    // At the end: nothing, and kcat still exits cleanly.
    expect(await kcatConsume(broker.address, topic, { partition: 0, offset: 10 })).toEqual([]);
  });

  it('-Q -t topic:partition:timestamp finds the first offset at or after the timestamp', async () => {
    const topic = uniqueTopic('kcat-query');
    // kcat -P cannot set timestamps; kafkajs can.
    const kafka = new Kafka({ clientId: 'kcat-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      await producer.connect();
      const stamps = [1_000, 2_000, 2_000, 5_000];
      for (const [i, ts] of stamps.entries()) {
        await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: `m${i}`, timestamp: String(ts) }] });
      }
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    // kcat keeps one entry per partition in its list, so query one timestamp per run.
    const query = async (partition: number, timestamp: number) => {
      const { stdout } = await runOk(KCAT, [...kcatBase(broker.address), '-Q', '-J', '-t', `${topic}:${partition}:${timestamp}`]);
      const parsed = JSON.parse(stdout) as Record<string, Record<string, { partition: number; offset: number; err?: string }>>;
      return parsed[topic]![String(partition)]!;
    };
    const expected: [number, number][] = [
      [0, 0],
      [1_000, 0],
      [1_001, 1],
      [2_000, 1],
      [2_001, 3],
      [5_000, 3],
      [5_001, -1],
    ];
    for (const [timestamp, offset] of expected) {
      expect({ timestamp, ...(await query(1, timestamp)) }).toEqual({ timestamp, partition: 1, offset });
    }
    // An empty partition has no such offset; -1 (latest) and -2 (earliest) are both 0 there.
    expect((await query(0, 1_000)).offset).toBe(-1);
    expect((await query(0, -1)).offset).toBe(0);
    expect((await query(0, -2)).offset).toBe(0);
    expect((await query(1, -1)).offset).toBe(4);
    expect((await query(1, -2)).offset).toBe(0);
  });

  it('-H headers round-trip, including repeated keys and empty values', async () => {
    const topic = uniqueTopic('kcat-headers');
    await kcatProduce(topic, ['with headers'], ['-H', 'trace=abc-123', '-H', 'dup=1', '-H', 'dup=2', '-H', 'empty=']);
    await kcatProduce(topic, ['without headers']);
    const read = await kcatConsume(broker.address, topic);
    expect(read.map((m) => [m.payload, m.headers ?? []])).toEqual([
      ['with headers', ['trace', 'abc-123', 'dup', '1', 'dup', '2', 'empty', '']],
      ['without headers', []],
    ]);
  });

  it('compressed batches (-z gzip, snappy, zstd, lz4) are stored as sent and read back', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `k${i}:${'compressible '.repeat(20)}${i}`);
    for (const codec of ['gzip', 'snappy', 'zstd', 'lz4'] as const) {
      const topic = uniqueTopic(`kcat-${codec}`);
      await kcatProduce(topic, lines, ['-K:', '-z', codec]);
      const read = await kcatConsume(broker.address, topic);
      expect(read.map((m) => `${m.key}:${m.payload}`), codec).toEqual(lines);
      const stored = await storedBatchCodecs(broker.dataDir, topic, 0);
      expect(stored.length, codec).toBeGreaterThan(0);
      // The broker keeps the client's bytes, so the stored codec is whatever kcat sent.
      // librdkafka 2.0.2 compresses gzip and snappy only when the broker's Produce range
      // reaches v0, which it does, and zstd when it has Produce v7 and Fetch v10. lz4 also
      // needs its LZ4 feature, which librdkafka gates on FindCoordinator v0 being advertised.
      for (const one of stored) expect(one, codec).toBe(codec);
    }
  });
});
