import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SOURCE, resolveBrokerConfig, TOPIC_CONFIG_DEFINITIONS } from '../../src/config/index.js';
import { MAX_PARTITIONS_PER_TOPIC } from '../../src/partition/index.js';
import { makeBatch } from '../helpers/log-fixtures.js';
import { failsWith, useDataDir } from './fixtures.js';

describe('TopicManager: topics', () => {
  const data = useDataDir();

  it('creates, lists and describes topics, defaulting to num.partitions', async () => {
    const topics = await data.open({ 'num.partitions': '2' });
    const created = await topics.createTopic({ name: 'orders', numPartitions: -1, replicationFactor: -1, configs: { 'retention.ms': '1000' } });
    expect(created).toMatchObject({ name: 'orders', numPartitions: 2, replicationFactor: 1, internal: false, configs: { 'retention.ms': '1000' } });
    expect(created.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.topicId).not.toBe('0'.repeat(32));
    expect(created.configEntries.find((e) => e.name === 'retention.ms')).toMatchObject({ value: '1000', source: CONFIG_SOURCE.TOPIC_CONFIG });
    await topics.createTopic({ name: 'audit', numPartitions: 1 });
    expect(topics.listTopics().map((t) => [t.name, t.numPartitions])).toEqual([
      ['audit', 1],
      ['orders', 2],
    ]);
    const { configEntries, ...description } = created;
    expect(configEntries).toHaveLength(Object.keys(TOPIC_CONFIG_DEFINITIONS).length);
    expect(topics.describeTopic('orders')).toEqual(description);
    expect(topics.topicNameById(created.topicId)).toBe('orders');
    expect(topics.topic('nope')).toBeUndefined();
    expect(await data.entries()).toEqual(['audit-0', 'meta.msgpack', 'orders-0', 'orders-1', 'topics.msgpack']);
    expect(topics.effectiveConfig('orders')['retention.ms']).toBe(1000);
    expect(topics.partition('orders', 1).log.topicConfig['retention.ms']).toBe(1000);
    await failsWith(() => topics.describeTopic('nope'), 'UNKNOWN_TOPIC_OR_PARTITION');
    await failsWith(() => topics.partition('orders', 2), 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('refuses what Kafka refuses, with its error codes', async () => {
    const topics = await data.open({ 'default.replication.factor': '3' });
    for (const name of ['', '.', '..', 'a'.repeat(250), 'has space', 'slash/name', 'ümlaut']) {
      await failsWith(topics.createTopic({ name, numPartitions: 1, replicationFactor: 1 }), 'INVALID_TOPIC_EXCEPTION');
    }
    await topics.createTopic({ name: 'a'.repeat(249), numPartitions: 1, replicationFactor: 1 });
    await failsWith(topics.createTopic({ name: '__mine', numPartitions: 1, replicationFactor: 1 }), 'INVALID_TOPIC_EXCEPTION');
    await topics.createTopic({ name: 'a.b', numPartitions: 1, replicationFactor: 1 });
    await failsWith(topics.createTopic({ name: 'a.b', numPartitions: 1, replicationFactor: 1 }), 'TOPIC_ALREADY_EXISTS');
    expect(await failsWith(topics.createTopic({ name: 'a_b', numPartitions: 1, replicationFactor: 1 }), 'INVALID_TOPIC_EXCEPTION')).toContain('collides');
    for (const numPartitions of [0, -2, 1.5, MAX_PARTITIONS_PER_TOPIC + 1]) {
      await failsWith(topics.createTopic({ name: 'p', numPartitions, replicationFactor: 1 }), 'INVALID_PARTITIONS');
    }
    for (const replicationFactor of [0, 2, -2]) {
      await failsWith(topics.createTopic({ name: 'r', numPartitions: 1, replicationFactor }), 'INVALID_REPLICATION_FACTOR');
    }
    // -1 means default.replication.factor, 3 here: more than one broker can hold.
    await failsWith(topics.createTopic({ name: 'r', numPartitions: 1 }), 'INVALID_REPLICATION_FACTOR');
    const badConfigs: Record<string, string>[] = [{ 'segment.bytes': 'x' }, { 'unknown.key': '1' }, { 'cleanup.policy': 'compact' }];
    for (const configs of badConfigs) {
      await failsWith(topics.createTopic({ name: 'c', numPartitions: 1, replicationFactor: 1, configs }), 'INVALID_CONFIG');
    }
    expect(topics.listTopics().map((t) => t.name)).toEqual(['a.b', 'a'.repeat(249)]);
    expect((await data.entries()).filter((e) => /-\d+$/.test(e))).toEqual(['a.b-0', `${'a'.repeat(249)}-0`]);
  });

  it('validates only, creating nothing', async () => {
    const topics = await data.open();
    const result = await topics.createTopic({ name: 'dry', numPartitions: 3, configs: { 'segment.bytes': '4096' } }, { validateOnly: true });
    expect(result).toMatchObject({ name: 'dry', numPartitions: 3, topicId: '0'.repeat(32) });
    expect(result.configEntries.find((e) => e.name === 'segment.bytes')!.value).toBe('4096');
    expect(topics.listTopics()).toEqual([]);
    expect(await data.entries()).toEqual(['meta.msgpack', 'topics.msgpack']);
    await failsWith(topics.createTopic({ name: 'dry', numPartitions: 0 }, { validateOnly: true }), 'INVALID_PARTITIONS');
    await topics.createTopic({ name: 'wet', numPartitions: 1 });
    await failsWith(topics.createTopic({ name: 'wet' }, { validateOnly: true }), 'TOPIC_ALREADY_EXISTS');
    await failsWith(topics.createPartitions('wet', 1, { validateOnly: true }), 'INVALID_PARTITIONS');
    expect((await topics.createPartitions('wet', 4, { validateOnly: true })).numPartitions).toBe(4);
    expect(topics.describeTopic('wet').numPartitions).toBe(1);
    expect(existsSync(join(data.dir, 'wet-1'))).toBe(false);
  });

  it('deletes topics and their files; a re-created topic starts empty with a new id', async () => {
    const topics = await data.open();
    const first = await topics.createTopic({ name: 'gone', numPartitions: 2 });
    await topics.partition('gone', 0).append(makeBatch(0));
    const partition = topics.partition('gone', 0);
    expect(await topics.deleteTopic('gone')).toEqual({ name: 'gone', topicId: first.topicId });
    expect(await data.entries()).toEqual(['meta.msgpack', 'topics.msgpack']);
    expect(partition.isDeleted).toBe(true);
    await failsWith(partition.read(0n, 100), 'UNKNOWN_TOPIC_OR_PARTITION');
    await failsWith(topics.deleteTopic('gone'), 'UNKNOWN_TOPIC_OR_PARTITION');
    expect(topics.topicNameById(first.topicId)).toBeUndefined();
    const second = await topics.createTopic({ name: 'gone', numPartitions: 1 });
    expect(second.topicId).not.toBe(first.topicId);
    expect(topics.partition('gone', 0).logEndOffset).toBe(0n);
  });

  it('keeps internal topics from clients but not from the broker', async () => {
    const topics = await data.open();
    const internal = await topics.createTopic({ name: '__consumer_offsets', numPartitions: 2 }, { origin: 'broker' });
    expect(internal.internal).toBe(true);
    const partition = topics.partition('__consumer_offsets', 1);
    await failsWith(partition.append(makeBatch(0)), 'INVALID_TOPIC_EXCEPTION');
    await failsWith(partition.append(makeBatch(0), { origin: 'client' }), 'INVALID_TOPIC_EXCEPTION');
    expect((await partition.append(makeBatch(0), { origin: 'broker', durable: true })).baseOffset).toBe(0n);
    await failsWith(topics.deleteTopic('__consumer_offsets'), 'INVALID_TOPIC_EXCEPTION');
    await failsWith(topics.createPartitions('__consumer_offsets', 3), 'INVALID_TOPIC_EXCEPTION');
    await failsWith(topics.getOrAutoCreateTopic('__other'), 'INVALID_TOPIC_EXCEPTION');
    await topics.deleteTopic('__consumer_offsets', { origin: 'broker' });
    expect(topics.listTopics()).toEqual([]);
  });

  it('refuses deletion when delete.topic.enable is false', async () => {
    const topics = await data.open({ 'delete.topic.enable': 'false' });
    await topics.createTopic({ name: 'kept' });
    await failsWith(topics.deleteTopic('kept'), 'INVALID_REQUEST');
    expect(topics.topic('kept')).toBeDefined();
  });

  it('adds partitions (CreatePartitions)', async () => {
    const topics = await data.open();
    const { topicId } = await topics.createTopic({ name: 'grow', numPartitions: 2, configs: { 'segment.bytes': '100000' } });
    const grown = await topics.createPartitions('grow', 4);
    expect(grown).toMatchObject({ numPartitions: 4, topicId });
    expect(topics.partition('grow', 3).log.topicConfig['segment.bytes']).toBe(100000);
    expect(existsSync(join(data.dir, 'grow-3'))).toBe(true);
    await failsWith(topics.createPartitions('grow', 4), 'INVALID_PARTITIONS');
    await failsWith(topics.createPartitions('grow', 3), 'INVALID_PARTITIONS');
    await failsWith(topics.createPartitions('grow', MAX_PARTITIONS_PER_TOPIC + 1), 'INVALID_PARTITIONS');
    await failsWith(topics.createPartitions('missing', 5), 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('auto-creates on demand when enabled', async () => {
    const topics = await data.open({ 'num.partitions': '3' });
    const [a, b] = await Promise.all([topics.getOrAutoCreateTopic('auto'), topics.getOrAutoCreateTopic('auto')]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.topic).toEqual(b.topic);
    expect(a.topic.numPartitions).toBe(3);
    expect((await topics.getOrAutoCreateTopic('auto')).created).toBe(false);
    await failsWith(topics.getOrAutoCreateTopic('bad name'), 'INVALID_TOPIC_EXCEPTION');
  });

  it('does not auto-create when disabled', async () => {
    const topics = await data.open({ 'auto.create.topics.enable': 'false' });
    await failsWith(topics.getOrAutoCreateTopic('auto'), 'UNKNOWN_TOPIC_OR_PARTITION');
    await topics.createTopic({ name: 'explicit' });
    expect((await topics.getOrAutoCreateTopic('explicit')).created).toBe(false);
  });

  it('describes configs with sources and follows broker config updates', async () => {
    const topics = await data.open({ 'log.retention.hours': '1' });
    await topics.createTopic({ name: 'cfg', numPartitions: 2, configs: { 'segment.bytes': '50000' } });
    const all = topics.describeConfigs('cfg');
    expect(all).toHaveLength(Object.keys(TOPIC_CONFIG_DEFINITIONS).length);
    const picked = topics.describeConfigs('cfg', ['segment.bytes', 'retention.ms', 'retention.bytes', 'not.a.key']);
    expect(picked.map((e) => [e.name, e.value, e.source, e.isDefault])).toEqual([
      ['segment.bytes', '50000', CONFIG_SOURCE.TOPIC_CONFIG, false],
      ['retention.ms', '3600000', CONFIG_SOURCE.STATIC_BROKER_CONFIG, false],
      ['retention.bytes', '-1', CONFIG_SOURCE.DEFAULT_CONFIG, true],
    ]);
    expect(picked.every((e) => e.readOnly === false && e.isSensitive === false)).toBe(true);
    await failsWith(() => topics.describeConfigs('nope'), 'UNKNOWN_TOPIC_OR_PARTITION');

    await topics.updateBrokerConfig(resolveBrokerConfig({ 'log.retention.hours': '2', 'log.segment.bytes': '70000' }));
    expect(topics.partition('cfg', 1).log.topicConfig['retention.ms']).toBe(7_200_000);
    expect(topics.partition('cfg', 1).log.topicConfig['segment.bytes']).toBe(50000);
    expect(topics.describeConfigs('cfg', ['retention.ms'])[0]!.value).toBe('7200000');
  });
});
