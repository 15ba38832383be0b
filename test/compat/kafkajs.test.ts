import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkaPartitionForKey, kcatConsume, murmur2, storedBatchCodecs, toPositive, uniqueTopic } from './tools.js';

/**
 * kafkajs 2.2.4 against a broker process: the admin API, producing with acks 0, 1 and -1,
 * and where its default (murmur2) partitioner puts keyed records. Records are read back
 * with kcat, group-less, so these tests do not depend on the group coordinator; kafkajs'
 * group consumers and group admin API are tested in groups-kafkajs.test.ts,
 * groups-kafkajs-admin.test.ts and groups-restart.test.ts.
 */

// DescribeConfigs config_source values (Kafka's ConfigSource).
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

let broker: BrokerProcess;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startBrokerProcess();
  kafka = new Kafka({ clientId: 'tidelog-compat', brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  await shutdownBroker(broker);
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function partitionDirs(topic: string): Promise<string[]> {
  const names = await readdir(broker.dataDir);
  return names.filter((n) => n.startsWith(`${topic}-`) && /^\d+$/.test(n.slice(topic.length + 1))).sort();
}

describe('kafkajs admin', () => {
  it('createTopics, listTopics, fetchTopicMetadata, deleteTopics (files gone)', async () => {
    const topic = uniqueTopic('kjs-admin');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    // Creating it again is TOPIC_ALREADY_EXISTS, which kafkajs reports as false.
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false);
    expect(await admin.listTopics()).toContain(topic);

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics).toHaveLength(1);
    expect(topics[0]!.name).toBe(topic);
    expect(topics[0]!.partitions.map((p) => ({ ...p })).sort((a, b) => a.partitionId - b.partitionId)).toEqual(
      [0, 1, 2].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] })),
    );
    expect(await partitionDirs(topic)).toEqual([`${topic}-0`, `${topic}-1`, `${topic}-2`]);

    await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: 'doomed' }] });
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    expect(await admin.listTopics()).not.toContain(topic);
    // The broker removes a topic's files before it reports it deleted.
    expect(await partitionDirs(topic)).toEqual([]);
    for (const p of [0, 1, 2]) expect(await exists(join(broker.dataDir, `${topic}-${p}`))).toBe(false);
  });

  it('createPartitions raises the count; new partitions are usable', async () => {
    const topic = uniqueTopic('kjs-grow');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await partitionDirs(topic)).toHaveLength(5);
    // Shrinking is refused.
    await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })).rejects.toThrow();
    const [result] = await producer.send({ topic, acks: -1, messages: [{ partition: 4, value: 'in a new partition' }] });
    expect(result).toMatchObject({ partition: 4, errorCode: 0, baseOffset: '0' });
  });

  it('describeConfigs shows overrides set at creation as TOPIC_CONFIG and the rest as defaults', async () => {
    const topic = uniqueTopic('kjs-configs');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'max.message.bytes', value: '200000' }] }],
    });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'max.message.bytes', 'cleanup.policy'] }],
    });
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({ errorCode: 0, resourceName: topic });
    const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(Object.keys(entries).sort()).toEqual(['cleanup.policy', 'max.message.bytes', 'retention.ms']);
    expect(entries['retention.ms']).toMatchObject({ configValue: '3600000', configSource: TOPIC_CONFIG, isDefault: false, readOnly: false });
    expect(entries['max.message.bytes']).toMatchObject({ configValue: '200000', configSource: TOPIC_CONFIG, isDefault: false });
    expect(entries['cleanup.policy']).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG, isDefault: true });

    // All configs when no names are given: includes the defaults too.
    const all = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    const names = all.resources[0]!.configEntries.map((e) => e.configName);
    expect(names).toEqual(expect.arrayContaining(['retention.ms', 'segment.bytes', 'cleanup.policy', 'min.insync.replicas']));

    // The override is enforced: a batch above max.message.bytes is refused.
    const strict = kafka.producer({ retry: { retries: 0 } });
    await strict.connect();
    try {
      await expect(strict.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(250_000, 1) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    } finally {
      await strict.disconnect();
    }
  });

  it('fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    const topic = uniqueTopic('kjs-offsets');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    // Partition 0: timestamps 1000, 2000, 3000; partition 1: 5000 x2; partition 2 stays empty.
    for (const [partition, ts] of [
      [0, 1000],
      [0, 2000],
      [0, 3000],
      [1, 5000],
      [1, 5000],
    ] as const) {
      await producer.send({ topic, acks: -1, messages: [{ partition, value: `${partition}@${ts}`, timestamp: String(ts) }] });
    }
    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    expect(offsets).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '2', high: '2', low: '0' },
      { partition: 2, offset: '0', high: '0', low: '0' },
    ]);
    const byTime = async (ts: number) => (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).sort((a, b) => a.partition - b.partition).map((o) => o.offset);
    // kafkajs turns "no such offset" (-1) into the high watermark.
    expect(await byTime(0)).toEqual(['0', '0', '0']);
    expect(await byTime(1500)).toEqual(['1', '0', '0']);
    expect(await byTime(3000)).toEqual(['2', '0', '0']);
    expect(await byTime(3001)).toEqual(['3', '0', '0']);
    expect(await byTime(5001)).toEqual(['3', '2', '0']);
  });
});

describe('kafkajs producer', () => {
  it('acks 0, 1 and -1 all store the records, in order', async () => {
    const topic = uniqueTopic('kjs-acks');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const sent: string[] = [];
    for (const acks of [-1, 1, 0, 1, -1, 0, 0]) {
      const values = [0, 1, 2].map((i) => `acks=${acks} #${sent.length + i}`);
      sent.push(...values);
      const result = await producer.send({ topic, acks, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
      if (acks === 0) {
        expect(result).toEqual([]); // no response at all
      } else {
        expect(result).toEqual([expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(sent.length - 3) })]);
      }
    }
    // acks=0 sends no response; the acks=-1 request after them (same connection, answered
    // in order) proves the broker has read them, and the read-back proves they were stored.
    await producer.send({ topic, acks: -1, messages: [{ value: 'fence' }] });
    const read = await kcatConsume(broker.address, topic);
    expect(read.map((m) => m.payload)).toEqual([...sent, 'fence']);
    expect(read.map((m) => m.offset)).toEqual(sent.concat('fence').map((_, i) => i));
  });

  it('keyed records land on the partition murmur2 picks', async () => {
    // Kafka's own test vectors for murmur2 (UtilsTest), so the reference itself is checked.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
    expect(toPositive(-1)).toBe(0x7fffffff);

    const topic = uniqueTopic('kjs-murmur');
    const numPartitions = 5;
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
    const keys = Array.from({ length: 60 }, (_, i) => `user-${i * 7919}`);
    await producer.send({ topic, acks: -1, messages: keys.map((key, i) => ({ key, value: `v${i}` })) });
    // One more batch, so each partition holds more than one.
    await producer.send({ topic, acks: 1, messages: keys.slice(0, 20).map((key, i) => ({ key, value: `again${i}` })) });

    const expected = new Map<number, string[]>();
    for (const key of [...keys, ...keys.slice(0, 20)]) {
      const p = kafkaPartitionForKey(key, numPartitions);
      expected.set(p, [...(expected.get(p) ?? []), key]);
    }
    expect(expected.size).toBeGreaterThan(1); // the keys do spread
    const read = await kcatConsume(broker.address, topic); // every partition, ordered by partition then offset
    for (let partition = 0; partition < numPartitions; partition++) {
      const keysRead = read.filter((m) => m.partition === partition).map((m) => m.key);
      expect(keysRead, `partition ${partition}`).toEqual(expected.get(partition) ?? []);
    }
  });

  it('headers, null keys, timestamps and gzip survive the round trip', async () => {
    const topic = uniqueTopic('kjs-shapes');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: null, value: 'no key', timestamp: '1700000000000', headers: { trace: 'abc', n: '1' } },
        { key: 'k', value: 'x'.repeat(5000), timestamp: '1700000000001' },
      ],
    });
    const read = await kcatConsume(broker.address, topic);
    expect(read.map((m) => ({ key: m.key, value: m.payload, ts: m.ts, headers: m.headers ?? [] }))).toEqual([
      { key: null, value: 'no key', ts: 1700000000000, headers: ['trace', 'abc', 'n', '1'] },
      { key: 'k', value: 'x'.repeat(5000), ts: 1700000000001, headers: [] },
    ]);
    // Stored as kafkajs sent it: one gzip batch.
    expect(await storedBatchCodecs(broker.dataDir, topic, 0)).toEqual(['gzip']);
  });
});
