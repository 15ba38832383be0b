import { AssignerProtocol, type Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerApiVersions, CLIENT_GROUP_MAX, outOfRange, unexpectedGroupVersions, waitFor } from './groups-tools.js';
import { useGroupTestBed, produceToThreePartitions } from './groups-testbed.js';
import { uniqueTopic } from './tools.js';

/**
 * The kafkajs 2.2.4 admin API for consumer groups against a broker process: listGroups,
 * describeGroups, fetchOffsets, setOffsets, resetOffsets (earliest and latest) and
 * deleteGroups, each checked against what a consumer of the group then reads.
 */

const bed = useGroupTestBed('groups-admin');
const consumers: Consumer[] = [];

afterEach(async () => {
  for (const consumer of consumers.splice(0)) await consumer.disconnect().catch(() => undefined);
});

/** A running consumer of the group (auto-commit) and the `partition:offset` of every record it processes. */
async function startConsumer(groupId: string, topic: string) {
  const consumer = bed.kafka.consumer({ groupId, sessionTimeout: 5000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}`) });
  return { consumer, seen };
}

/** Consumes until exactly the records `expected` names have arrived, then leaves (committing). */
async function consumeExactly(groupId: string, topic: string, expected: string[]): Promise<void> {
  const { consumer, seen } = await startConsumer(groupId, topic);
  await waitFor(`${expected.length} records`, () => seen.length >= expected.length, { detail: () => seen });
  consumers.splice(consumers.indexOf(consumer), 1);
  await consumer.disconnect();
  expect(seen.slice().sort()).toEqual(expected.slice().sort());
}

/** Joins the group with a consumer that commits `commit` by hand, without reading, and leaves. */
async function commitManually(groupId: string, topic: string, commit: Record<number, number>): Promise<void> {
  const consumer = bed.kafka.consumer({ groupId, sessionTimeout: 5000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  await waitFor('the consumer to join', () => joined);
  await consumer.commitOffsets(Object.entries(commit).map(([p, offset]) => ({ topic, partition: Number(p), offset: String(offset) })));
  consumers.splice(consumers.indexOf(consumer), 1);
  await consumer.disconnect();
}

const records = (from: Record<number, number>, to: number) => [0, 1, 2].flatMap((p) => Array.from({ length: Math.max(to - from[p]!, 0) }, (_, i) => `${p}:${from[p]! + i}`));

async function offsets(groupId: string, topic: string, resolveOffsets = false): Promise<Record<number, string>> {
  const [result] = await bed.admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets });
  return Object.fromEntries(result!.partitions.map((p) => [p.partition, p.offset]));
}

describe('kafkajs admin for consumer groups', () => {
  it('listGroups, describeGroups (Stable with the member, then Empty, unknown is Dead) and fetchOffsets', async () => {
    const topic = uniqueTopic('g-admin-describe');
    const groupId = uniqueTopic('g-admin-describe-group');
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 4, 0);
    expect(await offsets(groupId, topic)).toEqual({ 0: '-1', 1: '-1', 2: '-1' }); // no group yet: -1, no error

    const { consumer, seen } = await startConsumer(groupId, topic);
    await waitFor('12 records', () => seen.length >= 12);
    await waitFor('a Stable group', async () => (await bed.admin.describeGroups([groupId])).groups[0]!.state === 'Stable');
    const stable = (await bed.admin.describeGroups([groupId])).groups[0]!;
    expect(stable).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner', errorCode: 0 });
    expect(stable.members).toHaveLength(1);
    const member = stable.members[0]!;
    expect(member.clientId).toBe('groups-admin');
    expect(member.clientHost).toMatch(/127\.0\.0\.1/);
    expect(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics).toEqual([topic]);
    expect(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment).toEqual({ [topic]: [0, 1, 2] });
    expect((await bed.admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });

    consumers.splice(consumers.indexOf(consumer), 1);
    await consumer.disconnect();
    expect(await offsets(groupId, topic)).toEqual({ 0: '4', 1: '4', 2: '4' });
    expect((await bed.admin.describeGroups([groupId])).groups[0]).toMatchObject({ groupId, state: 'Empty', protocolType: 'consumer', protocol: '', members: [] });
    expect((await bed.admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });

    const unknown = uniqueTopic('g-admin-nobody');
    expect((await bed.admin.describeGroups([unknown])).groups[0]).toMatchObject({ groupId: unknown, state: 'Dead', members: [], errorCode: 0 });
    expect((await bed.admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(unknown);
  });

  it('setOffsets and resetOffsets (earliest, latest) move where the group resumes; both refuse while a member runs', async () => {
    // kafkajs' setOffsets (also behind resetOffsets and fetchOffsets with resolveOffsets) joins the
    // group with all partitions paused and waits for its first fetch, which kafkajs delays by its
    // default maxWaitTime (5 s) when nothing is unpaused. The three cases therefore run at once, in three groups.
    const topic = uniqueTopic('g-admin-seek');
    const [setGroup, earliestGroup, latestGroup] = ['set', 'earliest', 'latest'].map((name) => uniqueTopic(`g-admin-seek-${name}`));
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 10, 0);
    await Promise.all([setGroup, earliestGroup].map((groupId) => consumeExactly(groupId!, topic, records({ 0: 0, 1: 0, 2: 0 }, 10))));
    await commitManually(latestGroup!, topic, { 0: 2, 1: 2, 2: 2 });
    expect(await offsets(latestGroup!, topic)).toEqual({ 0: '2', 1: '2', 2: '2' });

    await Promise.all([
      (async () => {
        // setOffsets for two partitions; the third keeps its commit.
        await bed.admin.setOffsets({ groupId: setGroup!, topic, partitions: [{ partition: 0, offset: '3' }, { partition: 2, offset: '8' }] });
        expect(await offsets(setGroup!, topic)).toEqual({ 0: '3', 1: '10', 2: '8' });
        await consumeExactly(setGroup!, topic, records({ 0: 3, 1: 10, 2: 8 }, 10));
        expect(await offsets(setGroup!, topic)).toEqual({ 0: '10', 1: '10', 2: '10' });
      })(),
      (async () => {
        // resetOffsets earliest commits -2 (kafkajs' EARLIEST); fetchOffsets with resolveOffsets commits the log start instead.
        await bed.admin.resetOffsets({ groupId: earliestGroup!, topic, earliest: true });
        expect(await offsets(earliestGroup!, topic)).toEqual({ 0: '-2', 1: '-2', 2: '-2' });
        expect(await offsets(earliestGroup!, topic, true)).toEqual({ 0: '0', 1: '0', 2: '0' });
        expect(await offsets(earliestGroup!, topic)).toEqual({ 0: '0', 1: '0', 2: '0' });
        await consumeExactly(earliestGroup!, topic, records({ 0: 0, 1: 0, 2: 0 }, 10));
      })(),
      (async () => {
        // resetOffsets latest commits -1; resolved, it is the high watermark.
        await bed.admin.resetOffsets({ groupId: latestGroup!, topic, earliest: false });
        expect(await offsets(latestGroup!, topic)).toEqual({ 0: '-1', 1: '-1', 2: '-1' });
        expect(await offsets(latestGroup!, topic, true)).toEqual({ 0: '10', 1: '10', 2: '10' });
      })(),
    ]);
    // So only newer records are read.
    await produceToThreePartitions(bed.producer, topic, 2, 10);
    await consumeExactly(latestGroup!, topic, records({ 0: 10, 1: 10, 2: 10 }, 12));

    // kafkajs checks with DescribeGroups that the group has no running member first.
    const { seen } = await startConsumer(latestGroup!, topic);
    await waitFor('a Stable group', async () => (await bed.admin.describeGroups([latestGroup!])).groups[0]!.state === 'Stable');
    await expect(bed.admin.setOffsets({ groupId: latestGroup!, topic, partitions: [{ partition: 0, offset: '0' }] })).rejects.toThrow(/no running instances, current state: Stable/);
    await expect(bed.admin.resetOffsets({ groupId: latestGroup!, topic, earliest: false })).rejects.toThrow(/no running instances/);
    expect(seen).toEqual([]);
  });

  it('deleteGroups: NON_EMPTY_GROUP while a member runs, then deletes the group and its offsets; unknown groups are GROUP_ID_NOT_FOUND', async () => {
    const topic = uniqueTopic('g-admin-delete');
    const groupId = uniqueTopic('g-admin-delete-group');
    const other = uniqueTopic('g-admin-delete-other');
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 3, 0);
    await consumeExactly(other, topic, records({ 0: 0, 1: 0, 2: 0 }, 3));

    const { consumer, seen } = await startConsumer(groupId, topic);
    await waitFor('9 records', () => seen.length >= 9);
    await expect(bed.admin.deleteGroups([groupId])).rejects.toMatchObject({ name: 'KafkaJSDeleteGroupsError', groups: [{ groupId, errorCode: 68 }] });
    consumers.splice(consumers.indexOf(consumer), 1);
    await consumer.disconnect();
    expect(await offsets(groupId, topic)).toEqual({ 0: '3', 1: '3', 2: '3' });

    expect(await bed.admin.deleteGroups([groupId])).toEqual([expect.objectContaining({ groupId, errorCode: 0 })]);
    expect((await bed.admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    expect((await bed.admin.listGroups()).groups.map((g) => g.groupId)).toContain(other);
    expect((await bed.admin.describeGroups([groupId])).groups[0]).toMatchObject({ state: 'Dead', members: [] });
    expect(await offsets(groupId, topic)).toEqual({ 0: '-1', 1: '-1', 2: '-1' });
    expect(await offsets(other, topic)).toEqual({ 0: '3', 1: '3', 2: '3' });
    await expect(bed.admin.deleteGroups([groupId])).rejects.toMatchObject({ groups: [{ groupId, errorCode: 69 }] });

    // The id can be used again: a new consumer starts from the beginning.
    await consumeExactly(groupId, topic, records({ 0: 0, 1: 0, 2: 0 }, 3));
  });

  it('sent every request within the advertised ranges, each group API at min(kafkajs max, broker max)', async () => {
    const ranges = await brokerApiVersions(bed.gb.broker.port);
    expect(outOfRange(bed.gb.versions(), ranges)).toEqual([]);
    const seen = bed.gb.groupVersions('groups-admin');
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'DescribeGroups', 'ListGroups', 'DeleteGroups']));
    expect(unexpectedGroupVersions(seen, CLIENT_GROUP_MAX.kafkajs, ranges)).toEqual([]);
  });
});
