import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Admin, compatibilityPartitioner, Consumer, Producer, stringDeserializers, stringSerializers, type MessageToProduce } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkaPartitionForKey, KCAT, kcatBase, kcatConsume, runOk, uniqueTopic } from './tools.js';

/**
 * @platformatic/kafka 1.35.0 (its last release for Node 20) against a broker process.
 *
 * This release implements only recent versions of most APIs (Metadata 9-12, Produce 7-11,
 * Fetch 12-17, ListOffsets 5-9, CreateTopics 7, DeleteTopics 6, DescribeConfigs 2-4,
 * CreatePartitions 1-3, ApiVersions 3-4) and, for each, uses the highest version both sides
 * have. Every request it sends is recorded from its own diagnostics channel, so the tests
 * check the versions on the wire as well as the results. Records are read back here with
 * Consumer.fetch (a group-less Fetch by topic id) and with kcat; platformatic's streaming
 * consumer, which always joins a group, is in platformatic-groups.test.ts.
 */

/** platformatic publishes every request it sends on this tracing channel, with apiKey and apiVersion. */
const SENDS = 'tracing:plt:kafka:connections:api:start';
const API_NAMES: Record<number, string> = { 0: 'Produce', 1: 'Fetch', 2: 'ListOffsets', 3: 'Metadata', 18: 'ApiVersions', 19: 'CreateTopics', 20: 'DeleteTopics', 32: 'DescribeConfigs', 37: 'CreatePartitions' };
const sent = new Map<string, Set<number>>();
const onSend = (message: unknown) => {
  const { apiKey, apiVersion } = message as { apiKey: number; apiVersion: number };
  const name = API_NAMES[apiKey] ?? `api ${apiKey}`;
  sent.set(name, (sent.get(name) ?? new Set()).add(apiVersion));
};
const versionsSent = (api: string) => [...(sent.get(api) ?? [])].sort((a, b) => a - b);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const client = (broker: BrokerProcess) => ({ clientId: 'tidelog-compat', bootstrapBrokers: [broker.address], retries: 0 });

let broker: BrokerProcess;
let admin: Admin;

beforeAll(async () => {
  subscribe(SENDS, onSend);
  broker = await startBrokerProcess();
  admin = new Admin(client(broker));
});
afterAll(async () => {
  unsubscribe(SENDS, onSend);
  await admin?.close().catch(() => undefined);
  await shutdownBroker(broker);
});

async function kcatPartitionCount(topic: string): Promise<number> {
  const { stdout } = await runOk(KCAT, [...kcatBase(broker.address), '-L', '-J', '-t', topic]);
  const metadata = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[] }[] };
  return metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}

/** A consumer only for its group-less calls (fetch, listOffsets); the group id is never used. */
function groupLessConsumer(on: BrokerProcess): Consumer<string, string, string, string> {
  return new Consumer({ ...client(on), groupId: 'tidelog-compat-unused', deserializers: stringDeserializers });
}

/** Every record of one partition from `fetchOffset`, by topic id with Fetch (one request, 1 MiB). */
async function fetchById(consumer: Consumer<string, string, string, string>, topicId: string, partition: number, fetchOffset = 0n) {
  const response = await consumer.fetch({
    node: 0,
    topics: [{ topicId, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 0, lastFetchedEpoch: -1 }] }],
    maxWaitTime: 100,
  });
  const data = response.responses[0]!;
  const p = data.partitions[0]!;
  const records = (p.records ?? []).flatMap((batch) =>
    batch.records.map((r) => ({ offset: batch.firstOffset + BigInt(r.offsetDelta), key: r.key?.toString() ?? null, value: r.value?.toString() ?? null })),
  );
  return { topicId: data.topicId, errorCode: p.errorCode, highWatermark: p.highWatermark, records: records.filter((r) => r.offset >= fetchOffset) };
}

describe('@platformatic/kafka 1.35.0', () => {
  it('Admin: createTopics v7, listTopics and metadata v12 with topic ids, createPartitions v3, describeConfigs v4, deleteTopics v6', async () => {
    const topic = uniqueTopic('plt-admin');
    const doomed = uniqueTopic('plt-doomed');
    const created = await admin.createTopics({ topics: [topic, doomed], partitions: 2, replicas: 1, configs: [{ name: 'retention.ms', value: '7200000' }] });
    expect(created.map(({ name, partitions, replicas }) => ({ name, partitions, replicas }))).toEqual([
      { name: topic, partitions: 2, replicas: 1 },
      { name: doomed, partitions: 2, replicas: 1 },
    ]);
    // v5+ return the effective configuration; v7 the new topic's id.
    expect(created[0]!.configuration).toMatchObject({ 'retention.ms': '7200000', 'cleanup.policy': 'delete', 'max.message.bytes': '1048588' });
    for (const { id } of created) expect(id).toMatch(UUID);
    expect(created[0]!.id).not.toBe(created[1]!.id);

    // Creating it again fails as in Kafka: TOPIC_ALREADY_EXISTS.
    await expect(admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })).rejects.toMatchObject({
      errors: [expect.objectContaining({ apiCode: 36 })],
    });

    expect(await admin.listTopics()).toEqual(expect.arrayContaining([topic, doomed]));
    const metadata = await admin.metadata({ topics: [topic] });
    expect(metadata.brokers.get(0)).toMatchObject({ host: '127.0.0.1', port: broker.port });
    expect(metadata.controllerId).toBe(0);
    const described = metadata.topics.get(topic)!;
    expect(described.id).toBe(created[0]!.id);
    expect(described.partitionsCount).toBe(2);
    expect(described.partitions[1]).toEqual({ leader: 0, leaderEpoch: 0, replicas: [0], isr: [0], offlineReplicas: [] });

    await admin.createPartitions({ topics: [{ name: topic, count: 5 }] });
    expect((await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)!.partitionsCount).toBe(5);
    expect(await kcatPartitionCount(topic)).toBe(5);

    const [configs] = await admin.describeConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms', 'cleanup.policy'] }],
      includeDocumentation: true,
    });
    expect(configs!.configs.map(({ name, value, configSource, configType }) => ({ name, value, configSource, configType }))).toEqual([
      { name: 'retention.ms', value: '7200000', configSource: 1, configType: 5 }, // topic override, LONG
      { name: 'cleanup.policy', value: 'delete', configSource: 5, configType: 7 }, // default, LIST
    ]);
    for (const config of configs!.configs) expect(config.documentation).toEqual(expect.any(String));

    await admin.deleteTopics({ topics: [doomed] });
    const after = await admin.listTopics();
    expect(after).toContain(topic);
    expect(after).not.toContain(doomed);
    // Deleting it again: UNKNOWN_TOPIC_OR_PARTITION.
    await expect(admin.deleteTopics({ topics: [doomed] })).rejects.toMatchObject({ errors: [expect.objectContaining({ apiCode: 3 })] });

    expect(versionsSent('ApiVersions')).toEqual([3]);
    expect(versionsSent('Metadata')).toEqual([12]);
    expect(versionsSent('CreateTopics')).toEqual([7]);
    expect(versionsSent('CreatePartitions')).toEqual([3]);
    expect(versionsSent('DescribeConfigs')).toEqual([4]);
    expect(versionsSent('DeleteTopics')).toEqual([6]);
  });

  it('Producer.send (Produce v7): keyed messages to an existing topic, on the partitions the partitioner chose', async () => {
    const topic = uniqueTopic('plt-keyed');
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    const producer = new Producer({ ...client(broker), serializers: stringSerializers, partitioner: compatibilityPartitioner });
    const messages: MessageToProduce<string, string, string, string>[] = Array.from({ length: 30 }, (_, i) => ({ topic, key: `key-${i % 7}`, value: `value-${i}` }));
    try {
      const { offsets } = await producer.send({ messages, acks: -1 });
      expect(offsets?.length).toBeGreaterThan(0);
    } finally {
      await producer.close();
    }
    const read = await kcatConsume(broker.address, topic);
    // compatibilityPartitioner is Kafka's murmur2 partitioner.
    const expected = messages
      .map((m) => ({ partition: kafkaPartitionForKey(m.key!, 3), key: m.key, value: m.value }))
      .sort((a, b) => a.partition - b.partition);
    expect(read.map((m) => ({ partition: m.partition, key: m.key, value: m.payload }))).toEqual(expected);
    // Offsets count up from 0 in each partition.
    for (const p of [0, 1, 2]) {
      const offsets = read.filter((m) => m.partition === p).map((m) => m.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    expect(versionsSent('Produce')).toEqual([7]);
  });

  it('Producer.send to a topic that does not exist yet: auto-created through Metadata v12', async () => {
    const topic = uniqueTopic('plt-auto');
    const producer = new Producer({ ...client(broker), serializers: stringSerializers, autocreateTopics: true });
    try {
      await producer.send({ messages: [{ topic, key: 'k', value: 'first' }, { topic, key: 'k', value: 'second' }] });
    } finally {
      await producer.close();
    }
    // num.partitions defaults to 1.
    expect((await kcatConsume(broker.address, topic)).map((m) => [m.partition, m.offset, m.key, m.payload])).toEqual([
      [0, 0, 'k', 'first'],
      [0, 1, 'k', 'second'],
    ]);
  });

  it('Consumer.fetch (Fetch v13, by topic id) and listOffsets (ListOffsets v8) read back without a group', async () => {
    const topic = uniqueTopic('plt-fetch');
    const [created] = await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const producer = new Producer({ ...client(broker), serializers: stringSerializers });
    const consumer = groupLessConsumer(broker);
    try {
      // Two sends make two batches, so offset 3 lies inside the second one.
      await producer.send({ messages: ['a', 'b'].map((value) => ({ topic, partition: 1, key: value, value })), acks: -1 });
      await producer.send({ messages: ['c', 'd', 'e'].map((value) => ({ topic, partition: 1, key: value, value })), acks: -1 });

      const all = await fetchById(consumer, created!.id, 1);
      expect(all.topicId).toBe(created!.id);
      expect(all.errorCode).toBe(0);
      expect(all.highWatermark).toBe(5n);
      expect(all.records.map((r) => [r.offset, r.key, r.value])).toEqual(['a', 'b', 'c', 'd', 'e'].map((v, i) => [BigInt(i), v, v]));
      expect((await fetchById(consumer, created!.id, 1, 3n)).records.map((r) => r.value)).toEqual(['d', 'e']);
      expect((await fetchById(consumer, created!.id, 0)).records).toEqual([]);

      // An id no topic has: UNKNOWN_TOPIC_ID (100), answered at once.
      const started = Date.now();
      await expect(fetchById(consumer, '0123abcd-0000-4000-8000-000000000000', 0)).rejects.toMatchObject({
        errors: [expect.objectContaining({ apiCode: 100 })],
      });
      expect(Date.now() - started).toBeLessThan(5_000);

      const latest = await consumer.listOffsets({ topics: [topic] });
      expect(latest.get(topic)).toEqual([0n, 5n]);
      const earliest = await consumer.listOffsets({ topics: [topic], timestamp: -2n });
      expect(earliest.get(topic)).toEqual([0n, 0n]);
      const withTimestamps = await consumer.listOffsetsWithTimestamps({ topics: [topic], partitions: { [topic]: [1] }, timestamp: 0n });
      expect(withTimestamps.get(topic)!.get(1)!.offset).toBe(0n);
    } finally {
      await producer.close();
      await consumer.close();
    }
    expect(versionsSent('Fetch')).toEqual([13]);
    expect(versionsSent('ListOffsets')).toEqual([8]);
  });
});

describe('@platformatic/kafka 1.35.0 across a broker restart', () => {
  it('topic ids are stable, so Metadata v12 and Fetch v13 by the old id keep working', async () => {
    const own = await startBrokerProcess();
    try {
      const topic = uniqueTopic('plt-restart');
      const before = new Admin(client(own));
      let id: string;
      try {
        id = (await before.createTopics({ topics: [topic], partitions: 1, replicas: 1 }))[0]!.id;
      } finally {
        await before.close();
      }
      await runOk(KCAT, [...kcatBase(own.address), '-P', '-t', topic, '-p', '0'], { input: 'kept\n' });
      await own.restart();

      const after = new Admin(client(own));
      const consumer = groupLessConsumer(own);
      try {
        expect((await after.metadata({ topics: [topic] })).topics.get(topic)!.id).toBe(id);
        expect((await fetchById(consumer, id, 0)).records.map((r) => r.value)).toEqual(['kept']);
      } finally {
        await after.close();
        await consumer.close();
      }
    } finally {
      await shutdownBroker(own);
    }
  });
});
