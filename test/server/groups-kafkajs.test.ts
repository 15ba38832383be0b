import { AssignerProtocol, Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/index.js';
import { resolveBrokerConfig } from '../../src/config/index.js';
import { startBroker, type RunningBroker } from '../../src/server/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * A wire-level smoke test of the group coordinator through an in-process broker and a real
 * client (kafkajs 2.2.4, JoinGroup v5, SyncGroup/Heartbeat/LeaveGroup v3, OffsetCommit v5,
 * OffsetFetch v4): one consumer reads a 3-partition topic from the beginning and commits;
 * the broker restarts over the same data directory; a new consumer of the group resumes
 * from the committed offsets.
 */

const TOPIC = 'orders';
const GROUP = 'billing';

let dir: { dir: string; cleanup: () => Promise<void> } | null = null;
const running: RunningBroker[] = [];
const consumers: Consumer[] = [];

afterEach(async () => {
  for (const c of consumers.splice(0)) await c.disconnect().catch(() => undefined);
  for (const b of running.splice(0)) await b.stop();
  await dir?.cleanup();
  dir = null;
});

async function start(dataDir: string): Promise<{ broker: RunningBroker; kafka: Kafka }> {
  const config = resolveBrokerConfig({
    port: '0',
    host: '127.0.0.1',
    'log.dirs': dataDir,
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '5',
  });
  const broker = await startBroker({ config, logger: silentLogger });
  running.push(broker);
  const kafka = new Kafka({ clientId: 'groups-smoke', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  return { broker, kafka };
}

/** Runs a consumer of GROUP until it has `count` messages; returns their values. */
async function consume(kafka: Kafka, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count} messages arrived`)), 30_000);
    consumer
      .run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          seen.push(message.value!.toString());
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect(); // commits what was processed, then leaves the group
  consumers.splice(consumers.indexOf(consumer), 1);
  return seen;
}

describe('consumer groups through kafkajs', () => {
  it('reads a 3-partition topic, commits, and resumes from the commit after a broker restart', async () => {
    dir = await makeTempDir('tidelog-groups-');
    const first = await start(dir.dir);
    const admin = first.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
    const producer = first.kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `old-${i}` })) });

    const firstRead = await consume(first.kafka, 30);
    expect(firstRead.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `old-${i}`).sort());
    const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(30);
    const groups = await admin.listGroups();
    expect(groups.groups).toContainEqual({ groupId: GROUP, protocolType: 'consumer' });
    await producer.disconnect();
    await admin.disconnect();
    await first.broker.stop();
    running.splice(0);

    const second = await start(dir.dir);
    const producer2 = second.kafka.producer();
    await producer2.connect();
    await producer2.send({ topic: TOPIC, messages: Array.from({ length: 6 }, (_, i) => ({ key: `n${i}`, value: `new-${i}` })) });
    await producer2.disconnect();
    const secondRead = await consume(second.kafka, 6);
    expect(secondRead.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `new-${i}`).sort());

    const admin2 = second.kafka.admin();
    await admin2.connect();
    const described = await admin2.describeGroups([GROUP]);
    expect(described.groups[0]).toMatchObject({ groupId: GROUP, state: 'Empty', protocolType: 'consumer', members: [] });
    await admin2.deleteGroups([GROUP]);
    expect((await admin2.listGroups()).groups.map((g) => g.groupId)).not.toContain(GROUP);
    await admin2.disconnect();
  });

  it('two consumers split the partitions between them; when one leaves, the other takes them all', async () => {
    dir = await makeTempDir('tidelog-groups-');
    const { kafka } = await start(dir.dir);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `v-${i}` })) });
    await producer.disconnect();

    const seen = new Set<string>();
    const run = async () => {
      const consumer = kafka.consumer({ groupId: 'pair', sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
      return consumer;
    };
    const [a, b] = await Promise.all([run(), run()]);
    const assignments = async () => {
      const group = (await admin.describeGroups(['pair'])).groups[0]!;
      return {
        state: group.state,
        partitions: group.members.map((m) => (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[TOPIC] ?? []).slice().sort()),
      };
    };
    const until = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 30_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await until('both members with a share each', async () => {
      const now = await assignments();
      return now.state === 'Stable' && now.partitions.length === 2 && now.partitions.every((p) => p.length > 0);
    });
    const split = await assignments();
    expect(split.partitions.flat().sort()).toEqual([0, 1, 2]);
    await until('all 60 records', async () => seen.size === 60);

    await b.disconnect();
    consumers.splice(consumers.indexOf(b), 1);
    await until('the remaining member with every partition', async () => {
      const now = await assignments();
      return now.state === 'Stable' && now.partitions.length === 1 && now.partitions[0]!.length === 3;
    });
    await a.disconnect();
    consumers.splice(consumers.indexOf(a), 1);
    const offsets = await admin.fetchOffsets({ groupId: 'pair', topics: [TOPIC] });
    expect(offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(60);
    await admin.disconnect();
  });
});
