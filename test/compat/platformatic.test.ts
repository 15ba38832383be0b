import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { KCAT, kcatBase, kcatConsume, runOk, uniqueTopic } from './tools.js';

/**
 * @platformatic/kafka 1.35.0 (its last release for Node 20) against a broker process.
 *
 * This release implements only recent versions of most APIs: Metadata 9-12, Produce 7-11,
 * Fetch 12-17, ListOffsets 5-9, CreateTopics 7, DeleteTopics 6, DescribeConfigs 2-4,
 * CreatePartitions 1-3, ApiVersions 3-4. Against our ranges (Metadata 0-6, CreateTopics 0-4,
 * DeleteTopics 0-1, ...) it finds no usable version for Metadata, so nothing that needs
 * metadata works: not the producer, not listTopics. What overlaps does work. These tests pin
 * both sides, so a change on either shows up here; see FINDINGS.md.
 */

let broker: BrokerProcess;
let admin: Admin;

beforeAll(async () => {
  broker = await startBrokerProcess();
  admin = new Admin({ clientId: 'tidelog-compat', bootstrapBrokers: [broker.address], retries: 0 });
});
afterAll(async () => {
  await admin?.close().catch(() => undefined);
  await shutdownBroker(broker);
});

async function kcatPartitionCount(topic: string): Promise<number> {
  const { stdout } = await runOk(KCAT, [...kcatBase(broker.address), '-L', '-J', '-t', topic]);
  const metadata = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[] }[] };
  return metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}

describe('@platformatic/kafka 1.35.0', () => {
  it('negotiates (ApiVersions v3) and grows a topic with CreatePartitions v1', async () => {
    const topic = uniqueTopic('plt-grow');
    await runOk(KCAT, [...kcatBase(broker.address), '-P', '-t', topic], { input: 'seed\n' }); // auto-created, 1 partition
    expect(await kcatPartitionCount(topic)).toBe(1);
    await admin.createPartitions({ topics: [{ name: topic, count: 3 }] });
    expect(await kcatPartitionCount(topic)).toBe(3);
  });

  it('finds no usable Metadata, CreateTopics or DeleteTopics version (client implements only newer ones)', async () => {
    const topic = uniqueTopic('plt-meta');
    await runOk(KCAT, [...kcatBase(broker.address), '-P', '-t', topic], { input: 'seed\n' });
    const unsupported = (api: string) => expect.objectContaining({ code: 'PLT_KFK_UNSUPPORTED_API', message: `No usable implementation found for API ${api}.` });
    await expect(admin.listTopics()).rejects.toEqual(unsupported('Metadata'));
    await expect(admin.metadata({ topics: [topic] })).rejects.toEqual(unsupported('Metadata'));
    await expect(admin.createTopics({ topics: [uniqueTopic('plt-new')], partitions: 1, replicas: 1 })).rejects.toEqual(unsupported('CreateTopics'));
    await expect(admin.deleteTopics({ topics: [topic] })).rejects.toEqual(unsupported('DeleteTopics'));

    const producer = new Producer({ clientId: 'tidelog-compat', bootstrapBrokers: [broker.address], serializers: stringSerializers, retries: 0 });
    try {
      await expect(producer.send({ messages: [{ topic, key: 'k', value: 'v', partition: 0 }] })).rejects.toEqual(unsupported('Metadata'));
    } finally {
      await producer.close();
    }
    // The client fails before sending anything it cannot encode: the topic is untouched.
    expect((await kcatConsume(broker.address, topic)).map((m) => m.payload)).toEqual(['seed']);
  });

  it("DescribeConfigs v2 fails inside the client: its 'v2' codec is really v3's layout", async () => {
    // platformatic's describe-configs-v2 writes include_documentation and reads config_type
    // and documentation, which Kafka added in v3. A correct v2 response (ours) runs out of
    // bytes in its parser. Kafka brokers it is tested against advertise v4, so it never uses v2.
    const topic = uniqueTopic('plt-configs');
    await runOk(KCAT, [...kcatBase(broker.address), '-P', '-t', topic], { input: 'seed\n' });
    await expect(admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms'] }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ message: 'Out of bounds.' })],
    });
    // The broker is fine afterwards.
    expect(await kcatPartitionCount(topic)).toBe(1);
  });
});
