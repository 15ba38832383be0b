import { AssignerProtocol, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerApiVersions, CLIENT_GROUP_MAX, outOfRange, spawnTsx, startGroupBroker, unexpectedGroupVersions, waitFor, type GroupBroker, type LineChild } from './groups-tools.js';
import { uniqueTopic } from './tools.js';

/**
 * kafkajs 2.2.4 consumer groups against a broker process (group timings lowered for tests:
 * no initial rebalance delay, sessions from 1 s): one consumer reading a 3-partition topic
 * from the beginning; three consumers sharing six partitions, one of them a child process
 * that is SIGKILLed (no LeaveGroup) and whose partitions must move after its session
 * timeout without losing a record; and a consumer restarted in the same group resuming
 * after its last commit. Broker restarts are in groups-restart.test.ts, the admin API in
 * groups-kafkajs-admin.test.ts.
 */

/** The killed member's session timeout: the survivors take over after this. */
const SESSION_TIMEOUT_MS = 4000;

let gb: GroupBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];
const children: LineChild[] = [];

beforeAll(async () => {
  gb = await startGroupBroker();
  kafka = new Kafka({ clientId: 'groups-kafkajs', brokers: [gb.address], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
  for (const consumer of consumers.splice(0)) await consumer.disconnect().catch(() => undefined);
});

afterAll(async () => {
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  await gb?.shutdown();
});

interface Processed {
  consumer: string;
  partition: number;
  offset: number;
  value: string;
}

/** Produces `perPartition` records to every partition explicitly, values `p<partition>-<n>`, starting at n = `from`. */
async function produceEvenly(topic: string, partitions: number, perPartition: number, from = 0): Promise<void> {
  const messages = [];
  for (let p = 0; p < partitions; p++) for (let n = from; n < from + perPartition; n++) messages.push({ partition: p, key: `k${n}`, value: `p${p}-${n}` });
  await producer.send({ topic, messages });
}

/** A consumer of the group that appends every record it processes to `into`; auto-commit as kafkajs defaults (after each batch and on rebalance). */
async function startConsumer(label: string, groupId: string, topic: string, into: Processed[], options: { autoCommit?: boolean; sessionTimeout?: number } = {}): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: options.sessionTimeout ?? 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: options.autoCommit ?? true,
    eachMessage: async ({ partition, message }) => void into.push({ consumer: label, partition, offset: Number(message.offset), value: message.value!.toString() }),
  });
  return consumer;
}

async function stopConsumer(consumer: Consumer): Promise<void> {
  consumers.splice(consumers.indexOf(consumer), 1);
  await consumer.disconnect(); // commits (with auto-commit) and sends LeaveGroup
}

/** The group as DescribeGroups shows it, with each member's partitions of `topic` decoded from its assignment. */
async function describeGroup(groupId: string, topic: string) {
  const group = (await admin.describeGroups([groupId])).groups[0]!;
  return {
    state: group.state,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      partitions: (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []).slice().sort((a, b) => a - b),
    })),
  };
}

/** Committed offsets of the group for `topic`, partition -> offset (-1 when none). */
async function committed(groupId: string, topic: string): Promise<Record<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

const key = (p: number, o: number) => `${p}:${o}`;

describe('kafkajs consumer groups', () => {
  it('one consumer reads a 3-partition topic from the beginning, once each, and commits the end of every partition', async () => {
    const topic = uniqueTopic('g-kjs-one');
    const groupId = uniqueTopic('g-kjs-one-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceEvenly(topic, 3, 10);
    const seen: Processed[] = [];
    const consumer = await startConsumer('only', groupId, topic, seen);
    await waitFor('30 records', () => seen.length >= 30, { detail: () => seen.length });
    const group = await describeGroup(groupId, topic);
    expect(group.state).toBe('Stable');
    expect(group.members.map((m) => m.partitions)).toEqual([[0, 1, 2]]);
    await stopConsumer(consumer);

    const expected = [0, 1, 2].flatMap((p) => Array.from({ length: 10 }, (_, o) => ({ partition: p, offset: o, value: `p${p}-${o}` })));
    const read = seen.map(({ partition, offset, value }) => ({ partition, offset, value })).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    expect(read).toEqual(expected);
    expect(await committed(groupId, topic)).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect((await describeGroup(groupId, topic)).state).toBe('Empty');
  });

  it('three consumers share six partitions; one killed without LeaveGroup is dropped after its session timeout, its partitions move, and no record is lost', async () => {
    const topic = uniqueTopic('g-kjs-six');
    const groupId = uniqueTopic('g-kjs-six-group');
    const PER_PARTITION = 60;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });

    // The member that will be killed: its own process, committing by hand every 7 records, slowly.
    const child = spawnTsx('./groups-kafkajs-member.ts', [
      JSON.stringify({ broker: gb.address, groupId, topic, sessionTimeout: SESSION_TIMEOUT_MS, commitEvery: 7, delayMs: 15 }),
    ]);
    children.push(child);
    type ChildEvent = { type: 'join'; memberId: string; partitions: number[] } | { type: 'processed'; partition: number; offset: number } | { type: 'committed'; offsets: Record<string, number> } | { type: string };
    const childEvents = () => child.lines.map((line) => JSON.parse(line) as ChildEvent);
    const childDetail = () => ({ lines: child.lines.slice(-5), stderr: child.stderr().slice(-2000) });
    await waitFor('the child member to join', () => childEvents().some((e) => e.type === 'join'), { detail: childDetail });

    const seen: Processed[] = [];
    const [a, b] = await Promise.all([
      startConsumer('a', groupId, topic, seen, { sessionTimeout: SESSION_TIMEOUT_MS }),
      startConsumer('b', groupId, topic, seen, { sessionTimeout: SESSION_TIMEOUT_MS }),
    ]);
    await waitFor(
      'a Stable group of three members with two partitions each',
      async () => {
        const group = await describeGroup(groupId, topic);
        return group.state === 'Stable' && group.members.length === 3 && group.members.every((m) => m.partitions.length === 2);
      },
      { detail: childDetail },
    );
    const lastChildJoin = () => childEvents().filter((e): e is Extract<ChildEvent, { type: 'join' }> => e.type === 'join').at(-1)!;
    await waitFor('the child to hold two partitions', () => lastChildJoin().partitions.length === 2, { detail: childDetail });
    const { memberId: childMemberId, partitions: childPartitions } = lastChildJoin();
    const before = await describeGroup(groupId, topic);
    expect(before.members.find((m) => m.memberId === childMemberId)?.partitions).toEqual([...childPartitions].sort((x, y) => x - y));
    expect(before.members.flatMap((m) => m.partitions).sort()).toEqual([0, 1, 2, 3, 4, 5]);

    // Records arrive only once the assignment is settled, so nothing is processed before the crash except by its final owner.
    await produceEvenly(topic, 6, PER_PARTITION);
    const committedByChild = () => {
      const commits = childEvents().filter((e): e is Extract<ChildEvent, { type: 'committed' }> => e.type === 'committed');
      return commits.at(-1)?.offsets ?? {};
    };
    await waitFor('a commit by the child covering both its partitions', () => childPartitions.every((p) => committedByChild()[p] !== undefined), {
      detail: childDetail,
    });
    await child.kill();
    expect((await child.closed).signal).toBe('SIGKILL');

    // What the broker holds at the crash. Nobody else owns the child's partitions until the rebalance.
    const atCrash = await committed(groupId, topic);
    const stillListed = await describeGroup(groupId, topic);
    // No LeaveGroup was sent: the dead member stays until its session times out.
    expect(stillListed.members.map((m) => m.memberId)).toContain(childMemberId);

    // More records while the group waits for the dead member's session to end.
    await produceEvenly(topic, 6, PER_PARTITION, PER_PARTITION);
    await waitFor('the survivors to take over all six partitions', async () => {
      const group = await describeGroup(groupId, topic);
      return (
        group.state === 'Stable' &&
        group.members.length === 2 &&
        !group.members.some((m) => m.memberId === childMemberId) &&
        group.members
          .flatMap((m) => m.partitions)
          .sort()
          .join() === '0,1,2,3,4,5'
      );
    });
    const total = 6 * 2 * PER_PARTITION;
    const childProcessed = childEvents()
      .filter((e): e is Extract<ChildEvent, { type: 'processed' }> => e.type === 'processed')
      .map((e) => ({ consumer: 'killed', partition: e.partition, offset: e.offset, value: `p${e.partition}-${e.offset}` }));
    const distinct = () => new Set([...childProcessed, ...seen].map((e) => key(e.partition, e.offset))).size;
    await waitFor(`all ${total} records processed`, () => distinct() >= total, { detail: distinct });
    await stopConsumer(a);
    await stopConsumer(b);

    const all = [...childProcessed, ...seen];
    // Every record was processed at least once, with the value it was produced with.
    for (const e of all) expect(e.value, key(e.partition, e.offset)).toBe(`p${e.partition}-${e.offset}`);
    const counts = new Map<string, number>();
    for (const e of all) counts.set(key(e.partition, e.offset), (counts.get(key(e.partition, e.offset)) ?? 0) + 1);
    for (let p = 0; p < 6; p++) for (let o = 0; o < 2 * PER_PARTITION; o++) expect(counts.get(key(p, o)) ?? 0, key(p, o)).toBeGreaterThan(0);

    // Duplicates only in ranges uncommitted at the crash.
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([k]) => k.split(':').map(Number) as [number, number]);
    const context = `committed at the crash ${JSON.stringify(atCrash)}, child partitions ${childPartitions}, duplicates ${JSON.stringify(duplicates)}`;
    for (const [p, o] of duplicates) expect(o, `${key(p, o)}; ${context}`).toBeGreaterThanOrEqual(atCrash[p]!);

    for (const p of childPartitions) {
      // The child committed only what it had processed; the broker holds its last commit (or one in flight at the kill).
      const processedByChild = childProcessed.filter((e) => e.partition === p).map((e) => e.offset);
      expect(atCrash[p], context).toBeGreaterThanOrEqual(committedByChild()[p]!);
      expect(atCrash[p], context).toBeLessThanOrEqual(Math.max(...processedByChild) + 1);
      // Its new owner starts exactly at that commit: what the child processed below it is not read again, what it processed above it is.
      const takeover = seen.filter((e) => e.partition === p);
      expect(takeover[0]?.offset, context).toBe(atCrash[p]);
      expect(new Set(takeover.map((e) => e.offset)).size, context).toBe(2 * PER_PARTITION - atCrash[p]!);
      for (const o of processedByChild) expect(counts.get(key(p, o)), `${key(p, o)}; ${context}`).toBe(o >= atCrash[p]! ? 2 : 1);
    }
    // The survivors committed everything when they left.
    expect(await committed(groupId, topic)).toEqual(Object.fromEntries([0, 1, 2, 3, 4, 5].map((p) => [p, 2 * PER_PARTITION])));
  });

  it('a consumer restarted in the same group resumes right after its last commit', async () => {
    const topic = uniqueTopic('g-kjs-resume');
    const groupId = uniqueTopic('g-kjs-resume-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceEvenly(topic, 3, 10);

    // The first run reads everything but commits only part of it (as if it crashed before the rest).
    const first: Processed[] = [];
    const consumer1 = await startConsumer('first', groupId, topic, first, { autoCommit: false });
    await waitFor('30 records', () => first.length >= 30, { detail: () => first.length });
    const partial = { 0: 3, 1: 7, 2: 10 };
    await consumer1.commitOffsets(Object.entries(partial).map(([p, offset]) => ({ topic, partition: Number(p), offset: String(offset) })));
    await stopConsumer(consumer1);
    expect(await committed(groupId, topic)).toEqual(partial);

    await produceEvenly(topic, 3, 5, 10);
    const second: Processed[] = [];
    const consumer2 = await startConsumer('second', groupId, topic, second);
    const expected = [0, 1, 2].flatMap((p) => Array.from({ length: 15 - partial[p as 0 | 1 | 2] }, (_, i) => key(p, partial[p as 0 | 1 | 2] + i)));
    await waitFor(`${expected.length} records`, () => second.length >= expected.length, { detail: () => second.length });
    await stopConsumer(consumer2);
    expect(second.map((e) => key(e.partition, e.offset)).sort()).toEqual(expected.sort());
    for (const p of [0, 1, 2]) expect(second.find((e) => e.partition === p)?.offset).toBe(partial[p as 0 | 1 | 2] === 15 ? undefined : partial[p as 0 | 1 | 2]);
    expect(await committed(groupId, topic)).toEqual({ 0: 15, 1: 15, 2: 15 });
  });

  it('sent every request within the advertised ranges, each group API at min(kafkajs max, broker max)', async () => {
    const ranges = await brokerApiVersions(gb.broker.port);
    expect(outOfRange(gb.versions(), ranges)).toEqual([]);
    for (const client of ['groups-kafkajs', 'groups-killed-member']) {
      const seen = gb.groupVersions(client);
      expect(Object.keys(seen), client).toEqual(expect.arrayContaining(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch']));
      expect(unexpectedGroupVersions(seen, CLIENT_GROUP_MAX.kafkajs, ranges), client).toEqual([]);
    }
  });
});
