import { AssignerProtocol, Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, startGroupBroker, waitFor, type GroupBroker, type LineChild } from './groups-tools.js';
import { uniqueTopic } from './tools.js';

/**
 * Committed offsets across broker restarts, through kafkajs 2.2.4 and a broker process: a
 * graceful stop (SIGTERM) and a kill -9 of the broker, each followed by a restart on the
 * same data directory. After each, OffsetFetch returns what was committed (with its
 * metadata) and a consumer of the group resumes exactly there. The kill -9 case also kills
 * the group's only member (a child process, no LeaveGroup), so the restarted broker loads a
 * group that still lists a member nobody will speak for again.
 */

let gb: GroupBroker;
const clients: { admin: Admin; consumers: Consumer[] }[] = [];
const children: LineChild[] = [];

beforeAll(async () => {
  gb = await startGroupBroker();
});
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
  await closeClients();
});
afterAll(async () => {
  await gb?.shutdown();
});

/** kafkajs clients are made fresh after every broker restart; these close the current ones. */
async function closeClients(): Promise<void> {
  for (const { admin, consumers } of clients.splice(0)) {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

async function connect() {
  const kafka = new Kafka({ clientId: 'groups-restart', brokers: [gb.address], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  const entry = { admin, consumers: [] as Consumer[] };
  clients.push(entry);

  const committed = async (groupId: string, topic: string) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, { offset: Number(p.offset), metadata: p.metadata }]));
  };
  const produce = async (topic: string, perPartition: number, from: number) => {
    const producer = kafka.producer();
    await producer.connect();
    const messages = [0, 1, 2].flatMap((p) => Array.from({ length: perPartition }, (_, i) => ({ partition: p, value: `p${p}-${from + i}` })));
    await producer.send({ topic, messages });
    await producer.disconnect();
  };
  /** Reads until `count` records have arrived; commits them only with autoCommit. */
  const consume = async (groupId: string, topic: string, count: number, autoCommit: boolean) => {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 4000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    entry.consumers.push(consumer);
    const seen: { partition: number; offset: number; value: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit, eachMessage: async ({ partition, message }) => void seen.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) });
    await waitFor(`${count} records`, () => seen.length >= count, { detail: () => seen.length });
    return { consumer, seen };
  };
  const leave = async (consumer: Consumer) => {
    entry.consumers.splice(entry.consumers.indexOf(consumer), 1);
    await consumer.disconnect();
  };
  return { kafka, admin, committed, produce, consume, leave };
}

/** The offsets `seen` holds, per partition, in arrival order. */
const offsetsByPartition = (seen: { partition: number; offset: number }[]) =>
  Object.fromEntries([0, 1, 2].map((p) => [p, seen.filter((e) => e.partition === p).map((e) => e.offset)]));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('committed offsets across broker restarts (kafkajs)', () => {
  it('survive a graceful restart, with their metadata; a consumer of the group then resumes exactly there', async () => {
    const topic = uniqueTopic('g-restart-graceful');
    const groupId = uniqueTopic('g-restart-graceful-group');
    let c = await connect();
    await c.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await c.produce(topic, 10, 0);
    const { consumer } = await c.consume(groupId, topic, 30, false);
    const partial = { 0: 4, 1: 10, 2: 7 };
    await consumer.commitOffsets(Object.entries(partial).map(([p, offset]) => ({ topic, partition: Number(p), offset: String(offset), metadata: `m${p}` })));
    await c.leave(consumer);
    const before = await c.committed(groupId, topic);
    expect(before).toEqual({ 0: { offset: 4, metadata: 'm0' }, 1: { offset: 10, metadata: 'm1' }, 2: { offset: 7, metadata: 'm2' } });
    await closeClients();

    await gb.broker.restart(); // SIGTERM (must exit 0), then a new process on the same data directory
    c = await connect();
    expect(await c.committed(groupId, topic)).toEqual(before);
    expect((await c.admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });
    expect((await c.admin.describeGroups([groupId])).groups[0]).toMatchObject({ groupId, state: 'Empty', protocolType: 'consumer', members: [] });

    await c.produce(topic, 5, 10);
    const { consumer: resumed, seen } = await c.consume(groupId, topic, 11 + 5 + 8, true);
    await c.leave(resumed);
    expect(offsetsByPartition(seen)).toEqual({ 0: range(4, 15), 1: range(10, 15), 2: range(7, 15) });
    expect(seen.every((e) => e.value === `p${e.partition}-${e.offset}`)).toBe(true);
    const after = await c.committed(groupId, topic);
    expect([0, 1, 2].map((p) => after[p]!.offset)).toEqual([15, 15, 15]);
  });

  it('survive a kill -9 of the broker (with the group member killed too); the stale member is dropped after its session and a new consumer resumes from its commits', async () => {
    const topic = uniqueTopic('g-restart-kill');
    const groupId = uniqueTopic('g-restart-kill-group');
    let c = await connect();
    await c.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await c.produce(topic, 10, 0);

    // A member in its own process commits by hand every 4 records: after 28 of the 30 its commit covers 28.
    const child = spawnTsx('./groups-kafkajs-member.ts', [JSON.stringify({ broker: gb.address, groupId, topic, sessionTimeout: 4000, commitEvery: 4, delayMs: 0 })]);
    children.push(child);
    const events = () => child.lines.map((l) => JSON.parse(l) as { type: string; memberId?: string; offsets?: Record<string, number> });
    const lastCommit = () => events().filter((e) => e.type === 'committed').at(-1)?.offsets ?? {};
    await waitFor('the member to commit 28 records', () => Object.values(lastCommit()).reduce((s, o) => s + o, 0) >= 28, {
      detail: () => ({ lines: child.lines.slice(-3), stderr: child.stderr().slice(-2000) }),
    });
    const memberId = events().filter((e) => e.type === 'join').at(-1)!.memberId!;
    const commit = lastCommit();
    await child.kill();
    await closeClients();
    await gb.broker.kill(); // SIGKILL: no clean shutdown, the group still has its (dead) member

    await gb.broker.restart();
    c = await connect();
    expect(await c.committed(groupId, topic)).toEqual(Object.fromEntries([0, 1, 2].map((p) => [p, { offset: commit[p]!, metadata: null }])));
    // The group came back with the member it had, which no client speaks for.
    const reloaded = (await c.admin.describeGroups([groupId])).groups[0]!;
    expect(reloaded.members.map((m) => m.memberId)).toEqual([memberId]);

    await c.produce(topic, 5, 10);
    const expected = [0, 1, 2].flatMap((p) => range(commit[p]!, 15).map((o) => `${p}:${o}`));
    const { consumer, seen } = await c.consume(groupId, topic, expected.length, true);
    const group = (await c.admin.describeGroups([groupId])).groups[0]!;
    expect(group.members.map((m) => m.memberId)).not.toContain(memberId);
    expect(group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic]?.slice().sort())).toEqual([[0, 1, 2]]);
    await c.leave(consumer);
    expect(seen.map((e) => `${e.partition}:${e.offset}`).sort()).toEqual(expected.sort());
    for (const p of [0, 1, 2]) expect(offsetsByPartition(seen)[p]![0]).toBe(commit[p]! < 15 ? commit[p] : undefined);
    const after = await c.committed(groupId, topic);
    expect([0, 1, 2].map((p) => after[p]!.offset)).toEqual([15, 15, 15]);
  });

  it('a running consumer rides out a graceful restart and a kill -9: the broker keeps its membership, and it reads the new records, none twice', async () => {
    const topic = uniqueTopic('g-restart-live');
    const groupId = uniqueTopic('g-restart-live-group');
    let c = await connect();
    await c.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await c.produce(topic, 5, 0);
    // This client outlives the restarts: it has to reconnect by itself.
    const kafka = new Kafka({ clientId: 'groups-restart-live', brokers: [gb.address], logLevel: logLevel.NOTHING, retry: { retries: 60, initialRetryTime: 100, maxRetryTime: 500 } });
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    clients.push({ admin: c.admin, consumers: [consumer] });
    const joins: string[] = [];
    const crashes: string[] = [];
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void joins.push(payload.memberId));
    consumer.on(consumer.events.CRASH, ({ payload }) => void crashes.push(payload.error.name));
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}`) });

    let produced = 5;
    for (const how of ['graceful', 'kill -9'] as const) {
      await waitFor(`${produced * 3} records`, () => seen.length >= produced * 3, { detail: () => seen.length });
      // Everything read is committed before the broker goes down, so nothing may be read twice.
      await waitFor('the commits', async () => Object.values(await c.committed(groupId, topic)).every((e) => e.offset === produced));
      await c.admin.disconnect();
      if (how === 'graceful') await gb.broker.restart();
      else {
        await gb.broker.kill();
        await gb.broker.restart();
      }
      c = await connect();
      await c.produce(topic, 2, produced);
      produced += 2;
    }
    await waitFor(`${produced * 3} records`, () => seen.length >= produced * 3, { detail: () => seen.length });
    expect(seen.slice().sort()).toEqual([0, 1, 2].flatMap((p) => range(0, produced).map((o) => `${p}:${o}`)).sort());
    // The group comes back from __consumer_offsets with its member, so the broker never makes the consumer rejoin.
    // kafkajs itself may give up while the broker is down (KafkaJSNoBrokerAvailableError: its runner bails on
    // that without retrying) and restart as a new member; only such client-side restarts may add a join.
    expect(joins.length, `joins ${joins}, kafkajs crashes ${crashes}`).toBe(1 + crashes.length);
  });
});
