import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerApiVersions, outOfRange, startGroupBroker, type GroupBroker } from './groups-tools.js';
import { runPython, uniqueTopic } from './tools.js';

/**
 * kafka-python 2.0.2 group consumer against a broker process (test/compat/python/kafka_python_group.py):
 * a KafkaConsumer subscribed in a new group reads a 3-partition topic from the beginning and
 * commits; a second run in the same group reads only what was produced since. Records are
 * produced and commits read back with kafkajs.
 */

let gb: GroupBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  gb = await startGroupBroker();
  kafka = new Kafka({ clientId: 'groups-kafka-python', brokers: [gb.address], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  await gb?.shutdown();
});

async function produce(topic: string, perPartition: number, from: number): Promise<void> {
  await producer.send({ topic, messages: [0, 1, 2].flatMap((p) => Array.from({ length: perPartition }, (_, i) => ({ partition: p, value: `p${p}-${from + i}` }))) });
}

async function committed(groupId: string, topic: string): Promise<Record<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

const expected = (from: Record<number, number>, to: number) =>
  [0, 1, 2].flatMap((p) => Array.from({ length: to - from[p]! }, (_, i) => `${p}:${from[p]! + i}=p${p}-${from[p]! + i}`)).sort();

interface Result {
  received: [number, number, string][];
  assigned: number[];
  committed: Record<string, number>;
  api_version: number[];
}

describe('kafka-python group consumer', () => {
  it('reads everything in a new group, commits, and a second run resumes from the commits', async () => {
    const topic = uniqueTopic('g-kp');
    const groupId = uniqueTopic('g-kp-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produce(topic, 10, 0);

    const run = async (count: number) => (await runPython<Result>('kafka_python_group.py', { bootstrap: gb.address, topic, group: groupId, expect: count })).result;
    const first = await run(30);
    expect(first.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort()).toEqual(expected({ 0: 0, 1: 0, 2: 0 }, 10));
    expect(first.assigned).toEqual([0, 1, 2]);
    expect(first.committed).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect(await committed(groupId, topic)).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] });

    await produce(topic, 3, 10);
    const second = await run(9);
    expect(second.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort()).toEqual(expected({ 0: 10, 1: 10, 2: 10 }, 13));
    expect(second.committed).toEqual({ 0: 13, 1: 13, 2: 13 });
    expect(await committed(groupId, topic)).toEqual({ 0: 13, 1: 13, 2: 13 });
  });

  it('sent every request within the advertised ranges (kafka-python picks group versions from the broker version it infers)', async () => {
    const ranges = await brokerApiVersions(gb.broker.port);
    expect(outOfRange(gb.versions(), ranges)).toEqual([]);
    const seen = gb.groupVersions('compat-kafka-python-group');
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'LeaveGroup']));
  });
});
