import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Admin, TidelogError } from '../../src/client/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { produceAt, produceCount } from './admin-helpers.js';

const T0 = 1_700_000_000_000;

let broker: TestBroker;
let admin: Admin;
let kafka: Kafka;
const consumers: Consumer[] = [];
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' });
  const raw = await broker.connect();
  await createTopics(raw, [
    { name: 'ag-orders', partitions: 3 },
    { name: 'ag-other', partitions: 1 },
    { name: 'ag-times', partitions: 1 },
  ]);
  await produceCount(raw, 'ag-orders', 0, 4);
  await produceCount(raw, 'ag-orders', 1, 5);
  await produceCount(raw, 'ag-orders', 2, 6);
  await produceCount(raw, 'ag-other', 0, 2);
  await produceAt(raw, 'ag-times', 0, [T0, T0 + 10, T0 + 20]);
  admin = await Admin.create({ port: broker.broker.port, retry: { retries: 2, initialBackoffMs: 10, maxBackoffMs: 20 } });
  kafka = new Kafka({ clientId: 'ag-kafkajs', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
});
afterEach(async () => {
  for (const c of consumers.splice(0)) await c.disconnect().catch(() => undefined);
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

/** A kafkajs member of `groupId` reading `topic` from the group's position (or the beginning); resolves once it has `count` messages. */
async function runKafkajs(groupId: string, topic: string, count: number): Promise<{ consumer: Consumer; firstOffsets: Map<number, bigint> }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const firstOffsets = new Map<number, bigint>();
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kafkajs saw ${seen} of ${count} messages in time`)), 30_000);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (!firstOffsets.has(partition)) firstOffsets.set(partition, BigInt(message.offset));
          if (++seen === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  return { consumer, firstOffsets };
}

async function stop(consumer: Consumer): Promise<void> {
  await consumer.disconnect();
  consumers.splice(consumers.indexOf(consumer), 1);
}

describe('Admin groups', () => {
  it('sees a live kafkajs group: members with decoded assignments, committed offsets and lag', async () => {
    const { consumer } = await runKafkajs('ag-live', 'ag-orders', 15);
    await consumer.commitOffsets([
      { topic: 'ag-orders', partition: 0, offset: '4' },
      { topic: 'ag-orders', partition: 1, offset: '2' },
    ]);

    const [group] = await admin.describeGroups(['ag-live']);
    expect(group).toMatchObject({ groupId: 'ag-live', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(group!.members).toHaveLength(1);
    const member = group!.members[0]!;
    expect(member).toMatchObject({ clientId: 'ag-kafkajs', groupInstanceId: null, subscription: ['ag-orders'] });
    expect(member.clientHost).toContain('127.0.0.1');
    expect(member.assignment).toEqual([0, 1, 2].map((partition) => ({ topic: 'ag-orders', partition })));
    expect(member.rawAssignment.length).toBeGreaterThan(0);

    expect(await admin.listGroups()).toContainEqual({ groupId: 'ag-live', protocolType: 'consumer', state: 'Stable' });
    expect((await admin.listGroups({ states: ['Empty'] })).map((g) => g.groupId)).not.toContain('ag-live');
    expect((await admin.listGroups({ states: ['stable'] })).map((g) => g.groupId)).toContain('ag-live');

    expect((await admin.committedOffsets('ag-live')).map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual([
      { topic: 'ag-orders', partition: 0, offset: 4n },
      { topic: 'ag-orders', partition: 1, offset: 2n },
    ]);
    expect((await admin.committedOffsets('ag-live', ['ag-orders'])).map((c) => c.offset)).toEqual([4n, 2n, -1n]);

    const assignee = { memberId: member.memberId, clientId: 'ag-kafkajs', clientHost: member.clientHost };
    expect(await admin.groupLag('ag-live')).toEqual([
      { topic: 'ag-orders', partition: 0, committed: 4n, logEndOffset: 4n, lag: 0n, member: assignee },
      { topic: 'ag-orders', partition: 1, committed: 2n, logEndOffset: 5n, lag: 3n, member: assignee },
      { topic: 'ag-orders', partition: 2, committed: -1n, logEndOffset: 6n, lag: null, member: assignee },
    ]);
    // Only the topics asked for, every partition of them, committed or not.
    expect(await admin.groupLag('ag-live', ['ag-other'])).toEqual([{ topic: 'ag-other', partition: 0, committed: -1n, logEndOffset: 2n, lag: null, member: null }]);

    // Members would overwrite offsets set under them, and a group with members can't go.
    expect(await codeOf(admin.setOffsets('ag-live', [{ topic: 'ag-orders', partition: 0, offset: 0n }]))).toBe('NON_EMPTY_GROUP');
    expect(await codeOf(admin.resetOffsets('ag-live', ['ag-orders'], 'earliest'))).toBe('NON_EMPTY_GROUP');
    expect(await codeOf(admin.deleteGroups(['ag-live']))).toBe('NON_EMPTY_GROUP');

    await stop(consumer);
    const [after] = await admin.describeGroups(['ag-live']);
    expect(after).toMatchObject({ state: 'Empty', members: [] });
    expect((await admin.groupLag('ag-live')).map((row) => [row.partition, row.lag, row.member])).toEqual([
      [0, 0n, null],
      [1, 3n, null],
    ]);

    // kafkajs' admin reads the same committed offsets.
    const theirs = kafka.admin();
    await theirs.connect();
    try {
      const [fetched] = await theirs.fetchOffsets({ groupId: 'ag-live', topics: ['ag-orders'] });
      const ours = await admin.committedOffsets('ag-live', ['ag-orders']);
      expect(fetched!.partitions.map((p) => [p.partition, BigInt(p.offset)]).sort()).toEqual(ours.map((c) => [c.partition, c.offset]));
    } finally {
      await theirs.disconnect();
    }
  });

  it('sets and resets an empty group`s offsets, and a kafkajs member resumes from them', async () => {
    await admin.setOffsets('ag-reset', [
      { topic: 'ag-orders', partition: 0, offset: 1n },
      { topic: 'ag-orders', partition: 1, offset: 3n },
      { topic: 'ag-orders', partition: 2, offset: 6n },
    ]);
    expect((await admin.committedOffsets('ag-reset')).map((c) => c.offset)).toEqual([1n, 3n, 6n]);
    expect((await admin.describeGroups(['ag-reset']))[0]?.state).toBe('Empty');

    // (4 - 1) + (5 - 3) + (6 - 6) records are left, and reading starts where we set it.
    const { consumer, firstOffsets } = await runKafkajs('ag-reset', 'ag-orders', 5);
    expect(firstOffsets).toEqual(new Map([[0, 1n], [1, 3n]]));
    await stop(consumer);

    expect(await admin.resetOffsets('ag-reset', ['ag-orders'], 'earliest')).toEqual([0, 1, 2].map((partition) => ({ topic: 'ag-orders', partition, offset: 0n })));
    expect((await admin.committedOffsets('ag-reset')).map((c) => c.offset)).toEqual([0n, 0n, 0n]);
    expect((await admin.resetOffsets('ag-reset', ['ag-orders', 'ag-other'], 'latest')).map((o) => o.offset)).toEqual([4n, 5n, 6n, 2n]);
    expect((await admin.groupLag('ag-reset')).map((row) => row.lag)).toEqual([0n, 0n, 0n, 0n]);

    // By time: the first record at or after it, or the log end when none is that late.
    expect(await admin.resetOffsets('ag-reset', ['ag-times'], { timestamp: BigInt(T0 + 5) })).toEqual([{ topic: 'ag-times', partition: 0, offset: 1n }]);
    expect(await admin.resetOffsets('ag-reset', ['ag-times'], { timestamp: BigInt(T0 + 100) })).toEqual([{ topic: 'ag-times', partition: 0, offset: 3n }]);
    expect((await admin.committedOffsets('ag-reset', ['ag-times']))[0]?.offset).toBe(3n);
  });

  it('deletes an empty group with its offsets, and reports unknown groups as GROUP_ID_NOT_FOUND', async () => {
    await admin.setOffsets('ag-doomed', [{ topic: 'ag-other', partition: 0, offset: 1n }]);
    expect((await admin.listGroups()).map((g) => g.groupId)).toContain('ag-doomed');
    await admin.deleteGroups(['ag-doomed']);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain('ag-doomed');
    expect(await admin.describeGroups(['ag-doomed'])).toEqual([{ groupId: 'ag-doomed', state: 'Dead', protocolType: '', protocol: '', members: [] }]);
    expect(await admin.committedOffsets('ag-doomed')).toEqual([]);
    expect(await codeOf(admin.groupLag('ag-doomed'))).toBe('GROUP_ID_NOT_FOUND');
    expect(await codeOf(admin.deleteGroups(['ag-doomed']))).toBe('GROUP_ID_NOT_FOUND');

    const error = await admin.deleteGroups(['ag-nope-1', 'ag-nope-2']).catch((e: unknown) => e as TidelogError);
    expect(error).toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
    expect((error as Error).message).toMatch(/ag-nope-1: GROUP_ID_NOT_FOUND, ag-nope-2: GROUP_ID_NOT_FOUND/);
  });

  it('rejects bad input with a clear code before sending anything', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => admin.describeGroups([]), 'INVALID_REQUEST'],
      [() => admin.describeGroups(['']), 'INVALID_GROUP_ID'],
      [() => admin.deleteGroups(['g', 'g']), 'INVALID_REQUEST'],
      [() => admin.listGroups({ states: [''] }), 'INVALID_REQUEST'],
      [() => admin.groupLag(''), 'INVALID_GROUP_ID'],
      [() => admin.committedOffsets('g', ['ag-missing']), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.setOffsets('g', []), 'INVALID_REQUEST'],
      [() => admin.setOffsets('g', [{ topic: 'ag-other', partition: 0, offset: -1n }]), 'INVALID_REQUEST'],
      [() => admin.setOffsets('g', [{ topic: 'ag-other', partition: 0, offset: 1 as unknown as bigint }]), 'INVALID_REQUEST'],
      [() => admin.setOffsets('g', [{ topic: 'ag-other', partition: 1, offset: 0n }]), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.setOffsets('g', [{ topic: 'ag-missing', partition: 0, offset: 0n }]), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.setOffsets('g', [{ topic: 'ag-other', partition: 0, offset: 0n }, { topic: 'ag-other', partition: 0, offset: 1n }]), 'INVALID_REQUEST'],
      [() => admin.resetOffsets('g', ['ag-other'], 'middle' as 'earliest'), 'INVALID_REQUEST'],
      [() => admin.resetOffsets('g', ['ag-other'], { timestamp: -5n }), 'INVALID_REQUEST'],
      [() => admin.resetOffsets('g', [], 'earliest'), 'INVALID_REQUEST'],
    ];
    for (const [call, code] of cases) expect(await codeOf(call())).toBe(code);
    // None of the refused calls created the group.
    expect((await admin.describeGroups(['g']))[0]?.state).toBe('Dead');
  });
});
