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
    // Min 0 for librdkafka's feature probes; the maxima reach the flexible versions @platformatic/kafka implements.
    expect(range(API_KEYS.FindCoordinator)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(API_KEYS.JoinGroup)).toMatchObject({ minVersion: 0, maxVersion: 9 });
    expect(range(API_KEYS.SyncGroup)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(API_KEYS.Heartbeat)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(API_KEYS.LeaveGroup)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(API_KEYS.OffsetCommit)).toMatchObject({ minVersion: 2, maxVersion: 8 });
    expect(range(API_KEYS.OffsetFetch)).toMatchObject({ minVersion: 1, maxVersion: 8 });
    expect(range(API_KEYS.ListGroups)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(API_KEYS.DescribeGroups)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(API_KEYS.DeleteGroups)).toMatchObject({ minVersion: 0, maxVersion: 2 });
  });

  it('FindCoordinator v0-3: this broker for groups; COORDINATOR_NOT_AVAILABLE for transactions', async () => {
    const b = await broker();
    const client = await b.connect();
    for (const version of [0, 1, 2, 3]) {
      const found = await client.request(API_KEYS.FindCoordinator, version, { key: 'g', ...(version >= 1 ? { keyType: 0 } : {}) });
      expect(found).toMatchObject({ errorCode: 0, nodeId: 0, host: '127.0.0.1', port: b.broker.port });
    }
    const txn = await client.request(API_KEYS.FindCoordinator, 1, { key: 'tx', keyType: 1 });
    expect(txn).toMatchObject({ errorCode: 15, nodeId: -1 });
  });

  it('FindCoordinator v4 answers every key of the batch: groups here, transactions COORDINATOR_NOT_AVAILABLE, other types INVALID_REQUEST', async () => {
    const b = await broker();
    const client = await b.connect();
    const here = { nodeId: 0, host: '127.0.0.1', port: b.broker.port, errorCode: 0, errorMessage: null };
    const groups = await client.request(API_KEYS.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2', ''] });
    expect(groups.coordinators).toEqual([
      { key: 'g1', ...here },
      { key: 'g2', ...here },
      { key: '', ...here },
    ]);
    // v4 has none of v0-3's single-key fields: the decoder gives their defaults.
    expect(groups).toMatchObject({ throttleTimeMs: 0, errorCode: 0, nodeId: 0, host: '', port: 0 });
    const txn = await client.request(API_KEYS.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['tx-1', 'tx-2'] });
    expect(txn.coordinators.map(({ key, errorCode, nodeId, host, port }) => ({ key, errorCode, nodeId, host, port }))).toEqual([
      { key: 'tx-1', errorCode: 15, nodeId: -1, host: '', port: -1 },
      { key: 'tx-2', errorCode: 15, nodeId: -1, host: '', port: -1 },
    ]);
    expect(txn.coordinators[0]!.errorMessage).toEqual(expect.any(String));
    const unknown = await client.request(API_KEYS.FindCoordinator, 4, { keyType: 2, coordinatorKeys: ['share'] });
    expect(unknown.coordinators).toMatchObject([{ key: 'share', errorCode: 42, nodeId: -1 }]);
    expect((await client.request(API_KEYS.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [] })).coordinators).toEqual([]);
    // v3, the first flexible version, still asks for one key.
    expect(await client.request(API_KEYS.FindCoordinator, 3, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: 0, nodeId: 0, port: b.broker.port, coordinators: [] });
  });

  it('JoinGroup v6-9 and SyncGroup v4-5: protocol type from v7, null protocol names from v7, SkipAssignment false, KIP-559 checks', async () => {
    const b = await broker();
    const client = await b.connect();
    const join = (version: number, memberId: string) =>
      client.request(API_KEYS.JoinGroup, version, {
        groupId: 'flex',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: PROTOCOLS,
        ...(version >= 8 ? { reason: 'first join' } : {}),
      });
    // v9: MEMBER_ID_REQUIRED carries no protocol (null, not ""), then the join with the id.
    const first = await join(9, '');
    expect(first).toMatchObject({ errorCode: 79, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, members: [] });
    const joined = await join(9, first.memberId);
    expect(joined).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: first.memberId,
      skipAssignment: false,
      memberId: first.memberId,
      members: [{ memberId: first.memberId, groupInstanceId: null, metadata: Buffer.from('subscription') }],
    });
    const sync = (version: number, fields: { protocolType?: string | null; protocolName?: string | null }, assignment = 'mine') =>
      client.request(API_KEYS.SyncGroup, version, {
        groupId: 'flex',
        generationId: 1,
        memberId: first.memberId,
        groupInstanceId: null,
        ...fields,
        assignments: [{ memberId: first.memberId, assignment: Buffer.from(assignment) }],
      });
    // A protocol type or name other than the group's: INCONSISTENT_GROUP_PROTOCOL (23), and the group stays CompletingRebalance.
    expect(await sync(5, { protocolType: 'connect', protocolName: 'range' })).toEqual({ throttleTimeMs: 0, errorCode: 23, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    expect((await sync(5, { protocolType: 'consumer', protocolName: 'roundrobin' })).errorCode).toBe(23);
    expect((await client.request(API_KEYS.DescribeGroups, 5, { groups: ['flex'] })).groups[0]!.groupState).toBe('CompletingRebalance');
    // Matching (or left out: null is not checked) gets the assignment, with the group's type and name.
    expect(await sync(5, { protocolType: 'consumer', protocolName: 'range' })).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from('mine'),
    });
    expect(await sync(5, { protocolType: null, protocolName: null })).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('mine') });
    // v4 has neither field: the decoder gives null.
    expect(await sync(4, {})).toMatchObject({ errorCode: 0, protocolType: null, protocolName: null, assignment: Buffer.from('mine') });
    expect(await client.request(API_KEYS.Heartbeat, 4, { groupId: 'flex', generationId: 1, memberId: first.memberId, groupInstanceId: null })).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    // A Stable group's leader rejoining (v6: no protocol type in the answer) starts a rebalance it completes alone.
    expect(await join(6, first.memberId)).toMatchObject({ errorCode: 0, generationId: 2, protocolType: null, protocolName: 'range', skipAssignment: false });
    expect(await client.request(API_KEYS.Heartbeat, 4, { groupId: 'flex', generationId: 1, memberId: first.memberId, groupInstanceId: null })).toMatchObject({ errorCode: 22 });
    // Before v7 a failed join has "" as its protocol name.
    expect(await client.request(API_KEYS.JoinGroup, 6, { groupId: 'flex', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: 'stranger', protocolType: 'consumer', protocols: PROTOCOLS })).toMatchObject({
      errorCode: 25,
      protocolName: '',
    });
    // LeaveGroup v5: each member with its reason, each answered.
    const leave = await client.request(API_KEYS.LeaveGroup, 5, {
      groupId: 'flex',
      members: [
        { memberId: first.memberId, groupInstanceId: null, reason: 'shutting down' },
        { memberId: 'stranger', groupInstanceId: null, reason: null },
      ],
    });
    expect(leave).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [
        { memberId: first.memberId, groupInstanceId: null, errorCode: 0 },
        { memberId: 'stranger', groupInstanceId: null, errorCode: 25 },
      ],
    });
    expect((await client.request(API_KEYS.DescribeGroups, 5, { groups: ['flex'] })).groups[0]!.groupState).toBe('Empty');
  });

  it('OffsetCommit v6-8 store the leader epoch and check group.instance.id (v7); OffsetFetch v5+ gives the epoch back', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'ep', partitions: 2 }]);
    const join = (memberId: string) =>
      client.request(API_KEYS.JoinGroup, 7, { groupId: 'ep-group', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: 'pod-1', protocolType: 'consumer', protocols: PROTOCOLS });
    const joined = await join('');
    expect(joined.errorCode).toBe(0);
    await client.request(API_KEYS.SyncGroup, 5, { groupId: 'ep-group', generationId: 1, memberId: joined.memberId, groupInstanceId: 'pod-1', protocolType: 'consumer', protocolName: 'range', assignments: [] });
    const commit = (version: number, groupInstanceId: string | null, partitionIndex: number, committedOffset: bigint) =>
      client.request(API_KEYS.OffsetCommit, version, {
        groupId: 'ep-group',
        generationIdOrMemberEpoch: 1,
        memberId: joined.memberId,
        ...(version >= 7 ? { groupInstanceId } : {}),
        topics: [{ name: 'ep', partitions: [{ partitionIndex, committedOffset, committedLeaderEpoch: 4, committedMetadata: `v${version}` }] }],
      });
    expect((await commit(8, 'pod-1', 0, 10n)).topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 0 }]);
    expect((await commit(6, null, 1, 20n)).topics[0]!.partitions).toEqual([{ partitionIndex: 1, errorCode: 0 }]);
    // An instance id the group does not know: UNKNOWN_MEMBER_ID (25); nothing is stored.
    expect((await commit(7, 'pod-2', 0, 99n)).topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 25 }]);
    // A new incarnation of pod-1 fences the old member id.
    const second = await join('');
    expect(second.memberId).not.toBe(joined.memberId);
    expect((await commit(7, 'pod-1', 0, 99n)).topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 82 }]);

    const expected = [
      { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: 4, metadata: 'v8', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 20n, committedLeaderEpoch: 4, metadata: 'v6', errorCode: 0 },
    ];
    for (const version of [5, 6, 7]) {
      const fetched = await client.request(API_KEYS.OffsetFetch, version, { groupId: 'ep-group', topics: [{ name: 'ep', partitionIndexes: [0, 1] }], ...(version >= 7 ? { requireStable: true } : {}) });
      expect(fetched).toMatchObject({ errorCode: 0, topics: [{ name: 'ep', partitions: expected }] });
    }
    // v4 has no leader epoch: the decoder gives -1.
    const v4 = await client.request(API_KEYS.OffsetFetch, 4, { groupId: 'ep-group', topics: [{ name: 'ep', partitionIndexes: [0] }] });
    expect(v4.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 10n, committedLeaderEpoch: -1 });
  });

  it('OffsetFetch v8 answers several groups in one request, each with its own topics (null: everything committed) and error', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'mg', partitions: 3 }]);
    const commit = (groupId: string, partitions: [number, bigint][]) =>
      client.request(API_KEYS.OffsetCommit, 8, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'mg', partitions: partitions.map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: null })) }],
      });
    await commit('mg-a', [
      [0, 5n],
      [2, 7n],
    ]);
    await commit('mg-b', [[1, 11n]]);
    const fetched = await client.request(API_KEYS.OffsetFetch, 8, {
      groups: [
        { groupId: 'mg-a', topics: [{ name: 'mg', partitionIndexes: [0, 1] }] },
        { groupId: 'mg-b', topics: null },
        { groupId: 'mg-none', topics: [{ name: 'mg', partitionIndexes: [2] }] },
        { groupId: 'mg-none', topics: null },
      ],
      requireStable: false,
    });
    const part = (partitionIndex: number, committedOffset: bigint) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, metadata: '', errorCode: 0 });
    expect(fetched).toEqual({
      throttleTimeMs: 0,
      // v8 has no v0-7 fields: the decoder gives their defaults.
      topics: [],
      errorCode: 0,
      groups: [
        { groupId: 'mg-a', topics: [{ name: 'mg', partitions: [part(0, 5n), part(1, -1n)] }], errorCode: 0 },
        { groupId: 'mg-b', topics: [{ name: 'mg', partitions: [part(1, 11n)] }], errorCode: 0 },
        { groupId: 'mg-none', topics: [{ name: 'mg', partitions: [part(2, -1n)] }], errorCode: 0 },
        { groupId: 'mg-none', topics: [], errorCode: 0 },
      ],
    });
    expect((await client.request(API_KEYS.OffsetFetch, 8, { groups: [], requireStable: true })).groups).toEqual([]);
    // A group-level error (here the coordinator is gone: COORDINATOR_NOT_AVAILABLE) is each group's own, with no topics.
    await b.broker.groups.close();
    const failed = await client.request(API_KEYS.OffsetFetch, 8, { groups: [{ groupId: 'mg-a', topics: [{ name: 'mg', partitionIndexes: [0] }] }, { groupId: 'mg-b', topics: null }] });
    expect(failed.groups).toEqual([
      { groupId: 'mg-a', topics: [], errorCode: 15 },
      { groupId: 'mg-b', topics: [], errorCode: 15 },
    ]);
  });

  it('ListGroups v4 filters by state and v5 by type; DescribeGroups v3+ authorized operations and v4 instance ids; DeleteGroups v2', async () => {
    const b = await broker();
    const client = await b.connect();
    await createTopics(client, [{ name: 'lg', partitions: 1 }]);
    const join = (memberId: string) =>
      client.request(API_KEYS.JoinGroup, 5, { groupId: 'lg-stable', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: 'pod-9', protocolType: 'consumer', protocols: PROTOCOLS });
    const joined = await join('');
    await client.request(API_KEYS.SyncGroup, 3, { groupId: 'lg-stable', generationId: 1, memberId: joined.memberId, groupInstanceId: 'pod-9', assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }] });
    await client.request(API_KEYS.OffsetCommit, 8, {
      groupId: 'lg-empty',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'lg', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });

    const list = async (version: number, statesFilter: string[], typesFilter: string[] = []) =>
      (await client.request(API_KEYS.ListGroups, version, { statesFilter, ...(version >= 5 ? { typesFilter } : {}) })).groups;
    expect(await list(4, [])).toEqual([
      { groupId: 'lg-empty', protocolType: '', groupState: 'Empty', groupType: '' },
      { groupId: 'lg-stable', protocolType: 'consumer', groupState: 'Stable', groupType: '' },
    ]);
    expect((await list(4, ['Stable'])).map((g) => g.groupId)).toEqual(['lg-stable']);
    // Case-insensitive, as Kafka's coordinator; a state no group is in lists nothing.
    expect((await list(4, ['EMPTY', ' preparingrebalance '])).map((g) => g.groupId)).toEqual(['lg-empty']);
    expect(await list(4, ['Dead'])).toEqual([]);
    expect(await list(5, [], ['classic'])).toEqual([
      { groupId: 'lg-empty', protocolType: '', groupState: 'Empty', groupType: 'classic' },
      { groupId: 'lg-stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
    ]);
    expect(await list(5, ['stable'], ['CLASSIC'])).toEqual([{ groupId: 'lg-stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
    expect(await list(5, [], ['consumer'])).toEqual([]);
    // v3 has neither filter nor state.
    expect((await client.request(API_KEYS.ListGroups, 3, {})).groups.map((g) => [g.groupId, g.groupState])).toEqual([
      ['lg-empty', ''],
      ['lg-stable', ''],
    ]);

    const described = async (version: number, includeAuthorizedOperations: boolean) =>
      (await client.request(API_KEYS.DescribeGroups, version, { groups: ['lg-stable', 'lg-nobody'], includeAuthorizedOperations })).groups;
    // READ (3), DELETE (6) and DESCRIBE (8): everything a group supports, as Kafka without an authorizer.
    const operations = (1 << 3) | (1 << 6) | (1 << 8);
    for (const version of [3, 4, 5]) {
      const [stable, nobody] = await described(version, true);
      expect(stable).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', authorizedOperations: operations });
      expect(stable!.members).toEqual([
        {
          memberId: joined.memberId,
          groupInstanceId: version >= 4 ? 'pod-9' : null,
          clientId: 'raw-client',
          clientHost: '/127.0.0.1',
          memberMetadata: Buffer.from('subscription'),
          memberAssignment: Buffer.from('a'),
        },
      ]);
      expect(nobody).toMatchObject({ errorCode: 0, groupState: 'Dead', authorizedOperations: operations });
      expect((await described(version, false)).map((g) => g.authorizedOperations)).toEqual([-2147483648, -2147483648]);
    }

    const deleted = await client.request(API_KEYS.DeleteGroups, 2, { groupsNames: ['lg-empty', 'lg-stable', 'lg-nobody'] });
    expect(deleted).toEqual({
      throttleTimeMs: 0,
      results: [
        { groupId: 'lg-empty', errorCode: 0 },
        { groupId: 'lg-stable', errorCode: 68 },
        { groupId: 'lg-nobody', errorCode: 69 },
      ],
    });
    expect((await list(4, [])).map((g) => g.groupId)).toEqual(['lg-stable']);
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
