import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, CLIENT_VERSIONS, TidelogError } from '../../src/client/index.js';
import { ZERO_UUID } from '../../src/protocol/index.js';
import { startTestBroker, type TestBroker } from '../server/fixtures.js';

let broker: TestBroker;
let admin: Admin;
let kafka: Kafka;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'true', 'num.partitions': '2' });
  admin = await Admin.create({ brokers: [`127.0.0.1:${broker.broker.port}`], clientId: 'admin-topics', retry: { retries: 2, initialBackoffMs: 10, maxBackoffMs: 20 } });
  kafka = new Kafka({ clientId: 'admin-topics-kafkajs', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await admin?.close();
  await broker?.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(TidelogError);
  return (error as TidelogError).code;
}

describe('Admin topics', () => {
  it('describes the cluster: its id, the controller and the broker', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: cluster.controllerId, host: '127.0.0.1', port: broker.broker.port }]);
    expect(cluster.controllerId).toBeGreaterThanOrEqual(0);
    expect(cluster.clusterId).toEqual(expect.any(String));
  });

  it('creates topics that kafkajs then sees, with ids, counts and configs', async () => {
    const created = await admin.createTopics([
      { topic: 'at-orders', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
      { topic: 'at-defaults' },
    ]);
    expect(created).toEqual([
      { topic: 'at-orders', topicId: expect.stringMatching(/^[0-9a-f]{32}$/), numPartitions: 3, replicationFactor: 1 },
      { topic: 'at-defaults', topicId: expect.stringMatching(/^[0-9a-f]{32}$/), numPartitions: 2, replicationFactor: 1 },
    ]);
    expect(created[0]!.topicId).not.toBe(ZERO_UUID);

    const theirs = kafka.admin();
    await theirs.connect();
    try {
      const { topics } = await theirs.fetchTopicMetadata({ topics: ['at-orders', 'at-defaults'] });
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([['at-defaults', 2], ['at-orders', 3]]);
      const configs = await theirs.describeConfigs({ resources: [{ type: 2, name: 'at-orders', configNames: ['retention.ms'] }], includeSynonyms: false });
      expect(configs.resources[0]?.configEntries.map((e) => [e.configName, e.configValue])).toEqual([['retention.ms', '3600000']]);
    } finally {
      await theirs.disconnect();
    }
  });

  it('fails an existing topic with TOPIC_ALREADY_EXISTS, or skips it with ignoreExisting', async () => {
    await admin.createTopics([{ topic: 'at-twice', numPartitions: 1 }]);
    expect(await codeOf(admin.createTopics([{ topic: 'at-twice', numPartitions: 1 }]))).toBe('TOPIC_ALREADY_EXISTS');
    const created = await admin.createTopics([{ topic: 'at-twice', numPartitions: 1 }, { topic: 'at-twice-new', numPartitions: 1 }], { ignoreExisting: true });
    expect(created.map((t) => t.topic)).toEqual(['at-twice-new']);

    // Several failures: the first one's code, every topic named.
    const error = await admin.createTopics([{ topic: 'at-twice' }, { topic: 'at-twice-new' }]).catch((e: unknown) => e as TidelogError);
    expect(error).toMatchObject({ code: 'TOPIC_ALREADY_EXISTS' });
    expect((error as Error).message).toMatch(/at-twice: TOPIC_ALREADY_EXISTS, at-twice-new: TOPIC_ALREADY_EXISTS/);
  });

  it('validates without creating, and passes the broker`s refusals on with their codes', async () => {
    const checked = await admin.createTopics([{ topic: 'at-dry', numPartitions: 4 }], { validateOnly: true });
    expect(checked).toEqual([{ topic: 'at-dry', topicId: ZERO_UUID, numPartitions: 4, replicationFactor: 1 }]);
    expect(await admin.listTopics()).not.toContain('at-dry');
    expect(await codeOf(admin.createTopics([{ topic: 'at-rf', numPartitions: 1, replicationFactor: 3 }]))).toBe('INVALID_REPLICATION_FACTOR');
    expect(await codeOf(admin.createTopics([{ topic: 'at-bad-config', numPartitions: 1, configs: { 'no.such.config': 'x' } }]))).toBe('INVALID_CONFIG');
  });

  it('rejects bad input before sending anything', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => admin.createTopics([]), 'INVALID_REQUEST'],
      [() => admin.createTopics([{ topic: '' }]), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.createTopics([{ topic: 'a b' }]), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.createTopics([{ topic: 'x'.repeat(250) }]), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.createTopics([{ topic: 'ok', numPartitions: 0 }]), 'INVALID_PARTITIONS'],
      [() => admin.createTopics([{ topic: 'ok', numPartitions: 1.5 }]), 'INVALID_PARTITIONS'],
      [() => admin.createTopics([{ topic: 'ok', replicationFactor: 0 }]), 'INVALID_REPLICATION_FACTOR'],
      [() => admin.createTopics([{ topic: 'ok' }, { topic: 'ok' }]), 'INVALID_REQUEST'],
      [() => admin.createTopics([{ topic: 'ok', configs: { 'retention.ms': 5 as unknown as string } }]), 'INVALID_CONFIG'],
      [() => admin.deleteTopics([]), 'INVALID_REQUEST'],
      [() => admin.deleteTopics(['..']), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.describeTopics(['']), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.createPartitions([{ topic: 'at-orders', count: 0 }]), 'INVALID_PARTITIONS'],
      [() => admin.createPartitions([]), 'INVALID_REQUEST'],
    ];
    for (const [call, code] of cases) expect(await codeOf(call())).toBe(code);
    expect(await admin.listTopics()).not.toContain('ok');
  });

  it('lists topics sorted, and describes partitions, leaders, replicas, isr and topic ids', async () => {
    const [created] = await admin.createTopics([{ topic: 'at-described', numPartitions: 2 }]);
    const names = await admin.listTopics();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['at-orders', 'at-defaults', 'at-described']));

    const { controllerId: node } = await admin.describeCluster();
    const [described] = await admin.describeTopics(['at-described']);
    expect(described).toEqual({
      name: 'at-described',
      topicId: created!.topicId,
      isInternal: false,
      partitions: [0, 1].map((partition) => ({ partition, leader: node, leaderEpoch: expect.any(Number), replicas: [node], isr: [node], offlineReplicas: [] })),
    });
    expect(created!.topicId).not.toBe(ZERO_UUID);
  });

  it('describes a kafkajs-created topic with the id its CreateTopics gave, and fails an unknown topic without creating it', async () => {
    const theirs = kafka.admin();
    await theirs.connect();
    try {
      expect(await theirs.createTopics({ topics: [{ topic: 'at-kafkajs', numPartitions: 4 }] })).toBe(true);
    } finally {
      await theirs.disconnect();
    }
    const [described] = await admin.describeTopics(['at-kafkajs']);
    expect(described?.partitions).toHaveLength(4);

    // auto.create.topics.enable is on, yet the admin must not create what it only looks at.
    expect(await codeOf(admin.describeTopics(['at-kafkajs', 'at-nowhere']))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await admin.listTopics()).not.toContain('at-nowhere');
  });

  it('hides internal topics unless asked', async () => {
    // A committed offset brings __consumer_offsets into being.
    await admin.setOffsets('at-group', [{ topic: 'at-orders', partition: 0, offset: 0n }]);
    const all = await admin.listTopics({ includeInternal: true });
    expect(all.filter((name) => name.startsWith('__'))).toEqual(['__consumer_offsets']);
    expect(await admin.listTopics()).toEqual(all.filter((name) => !name.startsWith('__')));
    const [offsetsTopic] = await admin.describeTopics(['__consumer_offsets']);
    expect(offsetsTopic?.isInternal).toBe(true);
  });

  it('adds partitions, and refuses to shrink', async () => {
    await admin.createTopics([{ topic: 'at-grow', numPartitions: 1 }]);
    await admin.createPartitions([{ topic: 'at-grow', count: 3 }]);
    expect((await admin.describeTopics(['at-grow']))[0]?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    await admin.createPartitions([{ topic: 'at-grow', count: 5 }], { validateOnly: true });
    expect((await admin.describeTopics(['at-grow']))[0]?.partitions).toHaveLength(3);
    expect(await codeOf(admin.createPartitions([{ topic: 'at-grow', count: 2 }]))).toBe('INVALID_PARTITIONS');
    expect(await codeOf(admin.createPartitions([{ topic: 'at-nowhere', count: 2 }]))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('deletes topics, failing a missing one unless ignoreMissing', async () => {
    await admin.createTopics([{ topic: 'at-doomed', numPartitions: 1 }, { topic: 'at-doomed-2', numPartitions: 1 }]);
    await admin.deleteTopics(['at-doomed', 'at-doomed-2']);
    expect(await admin.listTopics()).not.toContain('at-doomed');
    const theirs = kafka.admin();
    await theirs.connect();
    try {
      expect(await theirs.listTopics()).not.toContain('at-doomed-2');
    } finally {
      await theirs.disconnect();
    }
    expect(await codeOf(admin.deleteTopics(['at-doomed']))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await admin.deleteTopics(['at-doomed'], { ignoreMissing: true });
    expect(await codeOf(admin.describeTopics(['at-doomed']))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('works at the older versions a broker may be limited to, with their documented gaps', async () => {
    const old = await Admin.create({
      port: broker.broker.port,
      versions: { ...CLIENT_VERSIONS, Metadata: { min: 1, max: 8 }, CreateTopics: { min: 2, max: 4 }, DeleteTopics: { min: 1, max: 5 }, DescribeConfigs: { min: 1, max: 2 }, ListGroups: { min: 0, max: 3 } },
    });
    try {
      // Before CreateTopics v5 and v7 the answer carries neither counts nor an id.
      expect(await old.createTopics([{ topic: 'at-old', numPartitions: 2 }])).toEqual([{ topic: 'at-old', topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1 }]);
      const [described] = await old.describeTopics(['at-old']);
      expect(described?.topicId).toBe(ZERO_UUID); // Metadata before v10 has no topic ids
      expect(described?.partitions).toHaveLength(2);
      const [configs] = await old.describeConfigs([{ type: 'topic', name: 'at-old', configNames: ['retention.bytes'] }], { includeDocumentation: true });
      expect(configs?.configs).toEqual([expect.objectContaining({ name: 'retention.bytes', source: 'DEFAULT_CONFIG', type: 'UNKNOWN', documentation: null })]);
      expect(await codeOf(old.listGroups({ states: ['Stable'] }))).toBe('UNSUPPORTED_VERSION');
      expect(await old.listGroups()).toEqual(expect.any(Array));
      await old.deleteTopics(['at-old']);
      expect(await admin.listTopics()).not.toContain('at-old');
    } finally {
      await old.close();
    }
  });

  it('rejects every call once closed', async () => {
    const closing = await Admin.create({ port: broker.broker.port });
    await closing.close();
    await closing.close();
    expect(await codeOf(closing.listTopics())).toBe('NETWORK_EXCEPTION');
    expect(await codeOf(closing.describeCluster())).toBe('NETWORK_EXCEPTION');
  });
});
