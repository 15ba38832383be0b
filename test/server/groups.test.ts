import { afterEach, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../src/protocol/index.js';
import { batchOf, createTopics, produceBody, startTestBroker, type TestBroker } from './fixtures.js';

/**
 * The group APIs on the wire, version by version, through an in-process broker and the raw
 * client: what each version carries and leaves out, and the codes Kafka gives.
 */

const GROUP_SETTINGS = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4' };
const PROTOCOLS = [{ name: 'range', metadata: Buffer.from('subscription') }];

let running: TestBroker[] = [];
afterEach(async () => {
  for (const b of running) await b.stop();
  running = [];
});

async function broker(settings: Record<string, string> = {}): Promise<TestBroker> {
  const b = await startTestBroker({ ...GROUP_SETTINGS, ...settings });
  running.push(b);
  await b.broker.groups.start();
  return b;
}

describe('group APIs on the wire', () => {
  it('ApiVersions advertises each group API with the range librdkafka and the others need', async () => {
    const b = await broker();
    const client = await b.connect();
    const body = await client.request(API_KEYS.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const range = (key: number) => body.apiKeys.find((k) => k.apiKey === key);
    expect(range(API_KEYS.FindCoordinator)).toMatchObject({ minVersion: 0, maxVersion: 2 });
    expect(range(API_KEYS.JoinGroup)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(API_KEYS.SyncGroup)).toMatchObject({ minVersion: 0, maxVersion: 3 });
    expect(range(API_KEYS.Heartbeat)).toMatchObject({ minVersion: 0, maxVersion: 3 });
    expect(range(API_KEYS.LeaveGroup)).toMatchObject({ minVersion: 0, maxVersion: 3 });
    expect(range(API_KEYS.OffsetCommit)).toMatchObject({ minVersion: 2, maxVersion: 5 });
    expect(range(API_KEYS.OffsetFetch)).toMatchObject({ minVersion: 1, maxVersion: 4 });
    expect(range(API_KEYS.ListGroups)).toMatchObject({ minVersion: 0, maxVersion: 2 });
    expect(range(API_KEYS.DescribeGroups)).toMatchObject({ minVersion: 0, maxVersion: 2 });
    expect(range(API_KEYS.DeleteGroups)).toMatchObject({ minVersion: 0, maxVersion: 1 });
  });

  it('FindCoordinator v0-2: this broker for groups; COORDINATOR_NOT_AVAILABLE for transactions', async () => {
    const b = await broker();
    const client = await b.connect();
    for (const version of [0, 1, 2]) {
      const found = await client.request(API_KEYS.FindCoordinator, version, { key: 'g', keyType: 0 });
      expect(found).toMatchObject({ errorCode: 0, nodeId: 0, host: '127.0.0.1', port: b.broker.port });
    }
    const txn = await client.request(API_KEYS.FindCoordinator, 1, { key: 'tx', keyType: 1 });
    expect(txn).toMatchObject({ errorCode: 15, nodeId: -1 });
  });

  it('a kafka-python style group (JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1, OffsetCommit v2, OffsetFetch v1)', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'kp', partitions: 2 }]);
    const join = await client.request(API_KEYS.JoinGroup, 2, { groupId: 'kp-group', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(join).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' });
    expect(join.memberId).toMatch(/^raw-client-/);
    expect(join.leader).toBe(join.memberId);
    expect(join.members).toEqual([{ memberId: join.memberId, groupInstanceId: null, metadata: Buffer.from('subscription') }]);
    const sync = await client.request(API_KEYS.SyncGroup, 1, { groupId: 'kp-group', generationId: 1, memberId: join.memberId, assignments: [{ memberId: join.memberId, assignment: Buffer.from('both') }] });
    expect(sync).toMatchObject({ errorCode: 0, assignment: Buffer.from('both') });
    expect(await client.request(API_KEYS.Heartbeat, 1, { groupId: 'kp-group', generationId: 1, memberId: join.memberId })).toMatchObject({ errorCode: 0 });
    expect(await client.request(API_KEYS.Heartbeat, 1, { groupId: 'kp-group', generationId: 0, memberId: join.memberId })).toMatchObject({ errorCode: 22 });
    const commit = await client.request(API_KEYS.OffsetCommit, 2, {
      groupId: 'kp-group',
      generationIdOrMemberEpoch: 1,
      memberId: join.memberId,
      retentionTimeMs: -1n,
      topics: [{ name: 'kp', partitions: [{ partitionIndex: 0, committedOffset: 12n, committedMetadata: 'md' }, { partitionIndex: 9, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect(commit.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, errorCode: 0 },
      { partitionIndex: 9, errorCode: 3 },
    ]);
    const fetched = await client.request(API_KEYS.OffsetFetch, 1, { groupId: 'kp-group', topics: [{ name: 'kp', partitionIndexes: [0, 1] }] });
    expect(fetched.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, committedOffset: 12n, committedLeaderEpoch: -1, metadata: 'md', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    expect(await client.request(API_KEYS.LeaveGroup, 1, { groupId: 'kp-group', memberId: join.memberId })).toMatchObject({ errorCode: 0 });
    expect(await client.request(API_KEYS.LeaveGroup, 1, { groupId: 'kp-group', memberId: join.memberId })).toMatchObject({ errorCode: 25 });
  });

  it('JoinGroup v0 (the session timeout is the rebalance timeout) and v4 (MEMBER_ID_REQUIRED, 79)', async () => {
    const b = await broker();
    const client = await b.connect();
    const v0 = await client.request(API_KEYS.JoinGroup, 0, { groupId: 'g0', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(v0).toMatchObject({ errorCode: 0, generationId: 1 });
    const first = await client.request(API_KEYS.JoinGroup, 4, { groupId: 'g4', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(first).toMatchObject({ errorCode: 79, generationId: -1, members: [] });
    expect(first.memberId).toMatch(/^raw-client-/);
    const second = await client.request(API_KEYS.JoinGroup, 4, { groupId: 'g4', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: first.memberId, protocolType: 'consumer', protocols: PROTOCOLS });
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, memberId: first.memberId, leader: first.memberId });
    // Session timeouts outside group.min/max.session.timeout.ms.
    const bad = await client.request(API_KEYS.JoinGroup, 4, { groupId: 'g4', sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 30_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(bad.errorCode).toBe(26);
    const empty = await client.request(API_KEYS.JoinGroup, 4, { groupId: '', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    expect(empty.errorCode).toBe(24);
  });

  it('static membership over v5/v3: a restarted instance takes over; the old member id is fenced (82)', async () => {
    const b = await broker();
    const client = await b.connect();
    const join = (memberId: string) =>
      client.request(API_KEYS.JoinGroup, 5, { groupId: 'st', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: 'pod-1', protocolType: 'consumer', protocols: PROTOCOLS });
    const first = await join('');
    expect(first.members[0]!.groupInstanceId).toBe('pod-1');
    await client.request(API_KEYS.SyncGroup, 3, { groupId: 'st', generationId: 1, memberId: first.memberId, groupInstanceId: 'pod-1', assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] });
    const second = await join('');
    expect(second).toMatchObject({ errorCode: 0, generationId: 1 });
    const sync = await client.request(API_KEYS.SyncGroup, 3, { groupId: 'st', generationId: 1, memberId: second.memberId, groupInstanceId: 'pod-1', assignments: [] });
    expect(sync.assignment.toString()).toBe('mine');
    expect(await client.request(API_KEYS.Heartbeat, 3, { groupId: 'st', generationId: 1, memberId: first.memberId, groupInstanceId: 'pod-1' })).toMatchObject({ errorCode: 82 });
    const leave = await client.request(API_KEYS.LeaveGroup, 3, { groupId: 'st', members: [{ memberId: first.memberId, groupInstanceId: 'pod-1' }, { memberId: '', groupInstanceId: 'pod-1' }] });
    expect(leave).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [
        { memberId: first.memberId, groupInstanceId: 'pod-1', errorCode: 82 },
        { memberId: '', groupInstanceId: 'pod-1', errorCode: 0 },
      ],
    });
  });

  it('OffsetCommit v5 standalone, OffsetFetch v2/v4 with null topics, ListGroups, DescribeGroups and DeleteGroups', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'sa', partitions: 3 }]);
    const commit = await client.request(API_KEYS.OffsetCommit, 5, {
      groupId: 'sa-group',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 'sa', partitions: [{ partitionIndex: 2, committedOffset: 20n, committedMetadata: null }, { partitionIndex: 0, committedOffset: 5n, committedMetadata: 'x' }] }],
    });
    expect(commit.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    for (const version of [2, 4]) {
      const all = await client.request(API_KEYS.OffsetFetch, version, { groupId: 'sa-group', topics: null });
      expect(all.errorCode).toBe(0);
      expect(all.topics).toEqual([
        {
          name: 'sa',
          partitions: [
            { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: 'x', errorCode: 0 },
            { partitionIndex: 2, committedOffset: 20n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ]);
    }
    expect((await client.request(API_KEYS.OffsetFetch, 4, { groupId: 'nobody', topics: null })).topics).toEqual([]);
    expect(await client.request(API_KEYS.ListGroups, 0, {})).toMatchObject({ errorCode: 0, groups: [{ groupId: 'sa-group', protocolType: '' }] });
    const described = await client.request(API_KEYS.DescribeGroups, 0, { groups: ['sa-group', 'nobody'] });
    expect(described.groups).toEqual([
      { errorCode: 0, groupId: 'sa-group', groupState: 'Empty', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
      { errorCode: 0, groupId: 'nobody', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
    ]);
    const deleted = await client.request(API_KEYS.DeleteGroups, 1, { groupsNames: ['sa-group', 'nobody'] });
    expect(deleted.results).toEqual([
      { groupId: 'sa-group', errorCode: 0 },
      { groupId: 'nobody', errorCode: 69 },
    ]);
  });

  it('DescribeGroups v2 of a Stable group gives each member its metadata and assignment; DeleteGroups v0 refuses it (68)', async () => {
    const b = await broker();
    const client = await b.connect();
    const joinWith = (memberId: string) =>
      client.request(API_KEYS.JoinGroup, 5, { groupId: 'dg', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: PROTOCOLS });
    const join = await joinWith((await joinWith('')).memberId);
    expect(join.errorCode).toBe(0);
    await client.request(API_KEYS.SyncGroup, 3, { groupId: 'dg', generationId: 1, memberId: join.memberId, groupInstanceId: null, assignments: [{ memberId: join.memberId, assignment: Buffer.from('a') }] });
    const described = await client.request(API_KEYS.DescribeGroups, 2, { groups: ['dg'] });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0]!.members).toEqual([
      { memberId: join.memberId, groupInstanceId: null, clientId: 'raw-client', clientHost: '/127.0.0.1', memberMetadata: Buffer.from('subscription'), memberAssignment: Buffer.from('a') },
    ]);
    expect((await client.request(API_KEYS.DeleteGroups, 0, { groupsNames: ['dg'] })).results).toEqual([{ groupId: 'dg', errorCode: 68 }]);
  });

  it('__consumer_offsets is internal in Metadata, and clients cannot produce to it', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'x', partitions: 1 }]);
    await client.request(API_KEYS.OffsetCommit, 5, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'x', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }] });
    const metadata = await client.request(API_KEYS.Metadata, 1, { topics: null });
    const internal = metadata.topics.find((t) => t.name === '__consumer_offsets');
    expect(internal).toMatchObject({ errorCode: 0, isInternal: true });
    expect(internal!.partitions).toHaveLength(4);
    expect(metadata.topics.find((t) => t.name === 'x')!.isInternal).toBe(false);
    const produced = await client.request(API_KEYS.Produce, 3, produceBody('__consumer_offsets', 0, batchOf('evil')));
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(17);
  });

  it('a JoinGroup parked when the broker stops is answered, and the stop does not wait for the rebalance', async () => {
    const b = await broker();
    const client = await b.connect();
    const join = (memberId: string) => client.send(API_KEYS.JoinGroup, 1, { groupId: 'stop', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300_000, memberId, protocolType: 'consumer', protocols: PROTOCOLS });
    const first = await client.response(API_KEYS.JoinGroup, 1, join(''));
    await client.request(API_KEYS.SyncGroup, 1, { groupId: 'stop', generationId: 1, memberId: first.memberId, assignments: [] });
    const other = await b.connect();
    const parked = other.send(API_KEYS.JoinGroup, 1, { groupId: 'stop', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300_000, memberId: '', protocolType: 'consumer', protocols: PROTOCOLS });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(other.has(parked)).toBe(false);
    const started = Date.now();
    await b.broker.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await other.response(API_KEYS.JoinGroup, 1, parked)).toMatchObject({ errorCode: 16 });
  });
});
