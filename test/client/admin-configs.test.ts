import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, TidelogError, type ConfigEntry } from '../../src/client/index.js';
import { startTestBroker, type TestBroker } from '../server/fixtures.js';

let broker: TestBroker;
let admin: Admin;
let nodeId: string;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'log.retention.hours': '100' });
  admin = await Admin.create({ port: broker.broker.port, retry: { retries: 1, initialBackoffMs: 10, maxBackoffMs: 20 } });
  nodeId = String((await admin.describeCluster()).controllerId);
  await admin.createTopics([{ topic: 'ac-topic', numPartitions: 1, configs: { 'segment.bytes': '1048576' } }]);
});
afterAll(async () => {
  await admin?.close();
  await broker?.stop();
});

function entry(configs: ConfigEntry[], name: string): ConfigEntry {
  const found = configs.find((c) => c.name === name);
  expect(found, name).toBeDefined();
  return found!;
}

describe('Admin configs', () => {
  it('describes a topic`s configs with each value`s source: set on the topic, set on the broker, or the default', async () => {
    const [topic] = await admin.describeConfigs([{ type: 'topic', name: 'ac-topic' }]);
    expect(topic?.type).toBe('topic');
    expect(topic?.name).toBe('ac-topic');
    expect(entry(topic!.configs, 'segment.bytes')).toEqual({
      name: 'segment.bytes',
      value: '1048576',
      source: 'TOPIC_CONFIG',
      isDefault: false,
      readOnly: false,
      isSensitive: false,
      synonyms: [],
      type: 'INT',
      documentation: null,
    });
    expect(entry(topic!.configs, 'retention.ms')).toMatchObject({ value: String(100 * 3_600_000), source: 'STATIC_BROKER_CONFIG', isDefault: false });
    expect(entry(topic!.configs, 'retention.bytes')).toMatchObject({ value: '-1', source: 'DEFAULT_CONFIG', isDefault: true });
  });

  it('lists only the names asked for, with synonyms and documentation when asked', async () => {
    const [topic] = await admin.describeConfigs([{ type: 'topic', name: 'ac-topic', configNames: ['retention.ms', 'segment.bytes'] }], { includeSynonyms: true, includeDocumentation: true });
    expect(topic?.configs.map((c) => c.name).sort()).toEqual(['retention.ms', 'segment.bytes']);
    const retention = entry(topic!.configs, 'retention.ms');
    // Highest priority first: the broker's setting, then the built-in default.
    expect(retention.synonyms).toEqual([
      { name: 'log.retention.hours', value: '100', source: 'STATIC_BROKER_CONFIG' },
      { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
    ]);
    expect(retention.documentation).toEqual(expect.any(String));
  });

  it('describes the broker`s own configs (read only), asked of that broker', async () => {
    const [brokerConfigs] = await admin.describeConfigs([{ type: 'broker', name: nodeId, configNames: ['log.retention.hours', 'num.partitions'] }]);
    expect(brokerConfigs?.configs.map((c) => [c.name, c.value, c.source, c.readOnly]).sort()).toEqual([
      ['log.retention.hours', '100', 'STATIC_BROKER_CONFIG', true],
      ['num.partitions', '1', 'DEFAULT_CONFIG', true],
    ]);
  });

  it('describes topics and the broker in one call, in the order asked', async () => {
    const described = await admin.describeConfigs([
      { type: 'broker', name: nodeId, configNames: ['num.partitions'] },
      { type: 'topic', name: 'ac-topic', configNames: ['segment.bytes'] },
    ]);
    expect(described.map((d) => [d.type, d.name, d.configs.map((c) => c.value)])).toEqual([
      ['broker', nodeId, ['1']],
      ['topic', 'ac-topic', ['1048576']],
    ]);
  });

  it('agrees with kafkajs', async () => {
    const kafka = new Kafka({ clientId: 'admin-configs', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING });
    const theirs = kafka.admin();
    await theirs.connect();
    try {
      const answer = await theirs.describeConfigs({ resources: [{ type: 2, name: 'ac-topic' }], includeSynonyms: false });
      const [ours] = await admin.describeConfigs([{ type: 'topic', name: 'ac-topic' }]);
      const theirEntries = answer.resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.isDefault, e.readOnly]).sort();
      expect(ours!.configs.map((e) => [e.name, e.value, e.isDefault, e.readOnly]).sort()).toEqual(theirEntries);
    } finally {
      await theirs.disconnect();
    }
  });

  it('fails an unknown topic or broker with the broker`s code, and bad input before sending', async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof TidelogError ? e.code : String(e)));
    expect(await codeOf(admin.describeConfigs([{ type: 'topic', name: 'ac-missing' }]))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await codeOf(admin.describeConfigs([{ type: 'broker', name: '99' }]))).toBe('BROKER_NOT_AVAILABLE');
    expect(await codeOf(admin.describeConfigs([]))).toBe('INVALID_REQUEST');
    expect(await codeOf(admin.describeConfigs([{ type: 'group' as 'topic', name: 'g' }]))).toBe('INVALID_REQUEST');
    expect(await codeOf(admin.describeConfigs([{ type: 'broker', name: 'zero' }]))).toBe('INVALID_REQUEST');
    expect(await codeOf(admin.describeConfigs([{ type: 'topic', name: '' }]))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await codeOf(admin.describeConfigs([{ type: 'topic', name: 'ac-topic' }, { type: 'topic', name: 'ac-topic' }]))).toBe('INVALID_REQUEST');
  });
});
