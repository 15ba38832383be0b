import { describe, expect, it } from 'vitest';
import { GroupCoordinator, OFFSET_METADATA_MAX_BYTES, type CommitOffsetsParams } from '../../src/partition/index.js';
import { joinParams, protocols, settled, syncParams, useCoordinators } from './group-fixtures.js';

/** Every error the coordinator answers with, each where Kafka gives it; and OffsetCommit / OffsetFetch. */

const G = 'group-e';

function commit(groupId: string, generationId: number, memberId: string, offsets: Record<string, bigint>, overrides: Partial<CommitOffsetsParams> = {}): CommitOffsetsParams {
  const topics = new Map<string, { partitionIndex: number; offset: bigint; metadata: string | null }[]>();
  for (const [tp, offset] of Object.entries(offsets)) {
    const [topic, partition] = tp.split(':') as [string, string];
    if (!topics.has(topic)) topics.set(topic, []);
    topics.get(topic)!.push({ partitionIndex: Number(partition), offset, metadata: `m${offset}` });
  }
  return { groupId, generationId, memberId, groupInstanceId: null, topics: [...topics].map(([name, partitions]) => ({ name, partitions })), ...overrides };
}

function errorsOf(result: Awaited<ReturnType<GroupCoordinator['commitOffsets']>>): string[] {
  return result.topics.flatMap((t) => t.partitions.map((p) => `${t.name}:${p.partitionIndex}=${p.error}`));
}

describe('GroupCoordinator: error codes', () => {
  const env = useCoordinators();

  it('INVALID_GROUP_ID (24) for an empty group id in JoinGroup, SyncGroup, Heartbeat and LeaveGroup', async () => {
    const { coordinator: c } = await env.open();
    expect((await c.joinGroup(joinParams(''))).error).toBe('INVALID_GROUP_ID');
    expect((await c.syncGroup(syncParams('', 1, 'm'))).error).toBe('INVALID_GROUP_ID');
    expect(c.heartbeat({ groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null })).toBe('INVALID_GROUP_ID');
    expect(c.leaveGroup({ groupId: '', members: [{ memberId: 'm', groupInstanceId: null }] }).error).toBe('INVALID_GROUP_ID');
  });

  it('INVALID_SESSION_TIMEOUT (26) outside group.min/max.session.timeout.ms', async () => {
    const { coordinator: c } = await env.open({ 'group.min.session.timeout.ms': '6000', 'group.max.session.timeout.ms': '60000' });
    expect((await c.joinGroup(joinParams(G, { sessionTimeoutMs: 5999 }))).error).toBe('INVALID_SESSION_TIMEOUT');
    expect((await c.joinGroup(joinParams(G, { sessionTimeoutMs: 60001 }))).error).toBe('INVALID_SESSION_TIMEOUT');
    expect((await c.joinGroup(joinParams(G, { sessionTimeoutMs: 6000 }))).error).toBe('NONE');
    expect((await c.joinGroup(joinParams('g2', { sessionTimeoutMs: 60000 }))).error).toBe('NONE');
  });

  it('INCONSISTENT_GROUP_PROTOCOL (23): another protocol type, no shared protocol, an empty list, a SyncGroup v5 mismatch', async () => {
    const { coordinator: c } = await env.open();
    expect((await c.joinGroup(joinParams(G, { protocols: [] }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await c.joinGroup(joinParams(G, { protocolType: '' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    const a = await c.joinGroup(joinParams(G, { protocols: protocols('range', 'roundrobin') }));
    expect(a.error).toBe('NONE');
    expect((await c.joinGroup(joinParams(G, { protocolType: 'connect' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await c.joinGroup(joinParams(G, { protocols: protocols('sticky') }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await c.syncGroup(syncParams(G, 1, a.memberId, {}, { protocolName: 'roundrobin' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await c.syncGroup(syncParams(G, 1, a.memberId, {}, { protocolType: 'connect' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await c.syncGroup(syncParams(G, 1, a.memberId, {}, { protocolType: 'consumer', protocolName: 'range' }))).error).toBe('NONE');
  });

  it('UNKNOWN_MEMBER_ID (25) and ILLEGAL_GENERATION (22) in JoinGroup, SyncGroup and Heartbeat', async () => {
    const { coordinator: c } = await env.open();
    expect((await c.joinGroup(joinParams('nowhere', { memberId: 'ghost' }))).error).toBe('UNKNOWN_MEMBER_ID');
    expect((await c.syncGroup(syncParams('nowhere', 1, 'ghost'))).error).toBe('UNKNOWN_MEMBER_ID');
    expect(c.heartbeat({ groupId: 'nowhere', generationId: 1, memberId: 'ghost', groupInstanceId: null })).toBe('UNKNOWN_MEMBER_ID');
    const a = await c.joinGroup(joinParams(G));
    expect((await c.joinGroup(joinParams(G, { memberId: 'ghost' }))).error).toBe('UNKNOWN_MEMBER_ID');
    expect((await c.syncGroup(syncParams(G, 1, 'ghost'))).error).toBe('UNKNOWN_MEMBER_ID');
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: 'ghost', groupInstanceId: null })).toBe('UNKNOWN_MEMBER_ID');
    expect((await c.syncGroup(syncParams(G, 0, a.memberId))).error).toBe('ILLEGAL_GENERATION');
    expect(c.heartbeat({ groupId: G, generationId: 2, memberId: a.memberId, groupInstanceId: null })).toBe('ILLEGAL_GENERATION');
    // A static member unknown by its instance id is UNKNOWN_MEMBER_ID too.
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: 'who' })).toBe('UNKNOWN_MEMBER_ID');
  });

  it('REBALANCE_IN_PROGRESS (27): Heartbeat and SyncGroup while preparing, OffsetCommit while completing', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 't', numPartitions: 1 });
    const a = await c.joinGroup(joinParams(G));
    // CompletingRebalance: the member of generation 1 may not commit until it has its assignment.
    expect(errorsOf(await c.commitOffsets(commit(G, 1, a.memberId, { 't:0': 5n })))).toEqual(['t:0=REBALANCE_IN_PROGRESS']);
    await c.syncGroup(syncParams(G, 1, a.memberId, { [a.memberId]: 'x' }));
    const b = c.joinGroup(joinParams(G));
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
    expect((await c.syncGroup(syncParams(G, 1, a.memberId))).error).toBe('REBALANCE_IN_PROGRESS');
    // PreparingRebalance: the current generation still commits (as in Kafka, before revoking).
    expect(errorsOf(await c.commitOffsets(commit(G, 1, a.memberId, { 't:0': 5n })))).toEqual(['t:0=NONE']);
    await c.joinGroup(joinParams(G, { memberId: a.memberId }));
    await b;
  });

  it('a member joining twice: the first JoinGroup is answered REBALANCE_IN_PROGRESS, the second waits', async () => {
    const { coordinator: c } = await env.open();
    const a = await c.joinGroup(joinParams(G));
    await c.syncGroup(syncParams(G, 1, a.memberId, { [a.memberId]: 'x' }));
    const b = await c.joinGroup(joinParams(G, { requireKnownMemberId: true }));
    const aFirst = c.joinGroup(joinParams(G, { memberId: a.memberId }));
    const aSecond = c.joinGroup(joinParams(G, { memberId: a.memberId }));
    expect((await aFirst).error).toBe('REBALANCE_IN_PROGRESS');
    expect(await settled(aSecond)).toBe(false);
    await c.joinGroup(joinParams(G, { memberId: b.memberId }));
    expect((await aSecond).generationId).toBe(2);
  });

  it('NON_EMPTY_GROUP (68) and GROUP_ID_NOT_FOUND (69) from DeleteGroups', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 't', numPartitions: 1 });
    const a = await c.joinGroup(joinParams(G));
    expect(await c.deleteGroup(G)).toBe('NON_EMPTY_GROUP');
    expect(await c.deleteGroup('nowhere')).toBe('GROUP_ID_NOT_FOUND');
    expect(c.leaveGroup({ groupId: G, members: [{ memberId: a.memberId, groupInstanceId: null }] }).members[0]!.error).toBe('NONE');
    expect(c.describeGroup(G).state).toBe('Empty');
    await c.commitOffsets(commit(G, -1, '', { 't:0': 9n }));
    expect(await c.deleteGroup(G)).toBe('NONE');
    expect(await c.deleteGroup(G)).toBe('GROUP_ID_NOT_FOUND');
    expect(c.describeGroup(G)).toMatchObject({ error: 'NONE', state: 'Dead', members: [] });
    expect(c.fetchOffsets(G, null).topics).toEqual([]);
    expect(c.listGroups().groups.map((g) => g.groupId)).not.toContain(G);
  });

  it('COORDINATOR_LOAD_IN_PROGRESS (14) until __consumer_offsets is loaded', async () => {
    const h = await env.open();
    await h.topics.createTopic({ name: 't', numPartitions: 1 });
    await h.coordinator.commitOffsets(commit(G, -1, '', { 't:0': 1n }));
    // A coordinator that has not loaded yet (start() not called).
    const unloaded = new GroupCoordinator({ topics: h.topics, clock: h.clock, scheduler: h.scheduler });
    expect((await unloaded.joinGroup(joinParams(G))).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect((await unloaded.syncGroup(syncParams(G, 1, 'm'))).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(unloaded.heartbeat({ groupId: G, generationId: 1, memberId: 'm', groupInstanceId: null })).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(unloaded.leaveGroup({ groupId: G, members: [{ memberId: 'm', groupInstanceId: null }] }).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(errorsOf(await unloaded.commitOffsets(commit(G, -1, '', { 't:0': 2n })))).toEqual(['t:0=COORDINATOR_LOAD_IN_PROGRESS']);
    expect(unloaded.fetchOffsets(G, [{ name: 't', partitionIndexes: [0] }])).toEqual({
      error: 'COORDINATOR_LOAD_IN_PROGRESS',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: -1n, leaderEpoch: -1, metadata: '', error: 'COORDINATOR_LOAD_IN_PROGRESS' }] }],
    });
    expect(unloaded.listGroups().error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(unloaded.describeGroup(G).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(await unloaded.deleteGroup(G)).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    const loading = unloaded.start();
    expect(unloaded.heartbeat({ groupId: G, generationId: 1, memberId: 'm', groupInstanceId: null })).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    await loading;
    expect(unloaded.fetchOffsets(G, null).topics[0]!.partitions[0]!.offset).toBe(1n);
    await unloaded.close();
    // After close: COORDINATOR_NOT_AVAILABLE.
    expect((await unloaded.joinGroup(joinParams(G))).error).toBe('COORDINATOR_NOT_AVAILABLE');
  });
});

describe('GroupCoordinator: OffsetCommit and OffsetFetch', () => {
  const env = useCoordinators();

  it('standalone commits (generation -1) only while the group has no members', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 't', numPartitions: 2 });
    expect(errorsOf(await c.commitOffsets(commit(G, -1, '', { 't:0': 10n, 't:1': 20n })))).toEqual(['t:0=NONE', 't:1=NONE']);
    expect(c.listGroups().groups).toEqual([{ groupId: G, protocolType: '', state: 'Empty' }]);
    const a = await c.joinGroup(joinParams(G));
    expect(a.generationId).toBe(1);
    expect(errorsOf(await c.commitOffsets(commit(G, -1, '', { 't:0': 11n })))).toEqual(['t:0=UNKNOWN_MEMBER_ID']);
    // A commit from a group that does not exist with a real generation is a stale one.
    expect(errorsOf(await c.commitOffsets(commit('nowhere', 3, 'm', { 't:0': 1n })))).toEqual(['t:0=ILLEGAL_GENERATION']);
    expect(c.fetchOffsets(G, [{ name: 't', partitionIndexes: [0, 1] }]).topics[0]!.partitions.map((p) => p.offset)).toEqual([10n, 20n]);
  });

  it('commits from a stale generation or an unknown member are rejected; the current generation commits', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 't', numPartitions: 1 });
    const a = await c.joinGroup(joinParams(G));
    await c.syncGroup(syncParams(G, 1, a.memberId, { [a.memberId]: 'x' }));
    expect(errorsOf(await c.commitOffsets(commit(G, 1, a.memberId, { 't:0': 7n })))).toEqual(['t:0=NONE']);
    const b = c.joinGroup(joinParams(G));
    await c.joinGroup(joinParams(G, { memberId: a.memberId }));
    const bj = await b;
    expect(bj.generationId).toBe(2);
    expect(errorsOf(await c.commitOffsets(commit(G, 1, a.memberId, { 't:0': 8n })))).toEqual(['t:0=ILLEGAL_GENERATION']);
    expect(errorsOf(await c.commitOffsets(commit(G, 2, 'ghost', { 't:0': 8n })))).toEqual(['t:0=UNKNOWN_MEMBER_ID']);
    expect(c.fetchOffsets(G, [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, offset: 7n, leaderEpoch: -1, metadata: 'm7', error: 'NONE' });
  });

  it('per-partition errors: unknown topic or partition (3), metadata too large (12); the rest is committed', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 't', numPartitions: 2 });
    const params = commit(G, -1, '', { 't:0': 1n, 't:2': 1n, 'gone:0': 1n, 't:1': 2n });
    params.topics[0]!.partitions[2]!.metadata = 'x'.repeat(OFFSET_METADATA_MAX_BYTES + 1);
    expect(errorsOf(await c.commitOffsets(params))).toEqual(['t:0=NONE', 't:2=UNKNOWN_TOPIC_OR_PARTITION', 't:1=OFFSET_METADATA_TOO_LARGE', 'gone:0=UNKNOWN_TOPIC_OR_PARTITION']);
    expect(c.fetchOffsets(G, null).topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, offset: 1n, leaderEpoch: -1, metadata: 'm1', error: 'NONE' }] }]);
  });

  it('OffsetFetch: -1 and "" without a commit, null topics for everything, unknown groups are not errors; null metadata is stored as ""', async () => {
    const { coordinator: c, topics } = await env.open();
    await topics.createTopic({ name: 'b', numPartitions: 3 });
    await topics.createTopic({ name: 'a', numPartitions: 1 });
    const params = commit(G, -1, '', { 'b:2': 30n, 'a:0': 5n, 'b:0': 10n });
    params.topics[1]!.partitions[0]!.metadata = null;
    await c.commitOffsets(params);
    expect(c.fetchOffsets(G, null)).toEqual({
      error: 'NONE',
      topics: [
        { name: 'a', partitions: [{ partitionIndex: 0, offset: 5n, leaderEpoch: -1, metadata: '', error: 'NONE' }] },
        {
          name: 'b',
          partitions: [
            { partitionIndex: 0, offset: 10n, leaderEpoch: -1, metadata: 'm10', error: 'NONE' },
            { partitionIndex: 2, offset: 30n, leaderEpoch: -1, metadata: 'm30', error: 'NONE' },
          ],
        },
      ],
    });
    expect(c.fetchOffsets(G, [{ name: 'b', partitionIndexes: [1, 2] }]).topics[0]!.partitions.map((p) => [p.offset, p.metadata])).toEqual([
      [-1n, ''],
      [30n, 'm30'],
    ]);
    expect(c.fetchOffsets('nobody', [{ name: 'b', partitionIndexes: [0] }])).toEqual({
      error: 'NONE',
      topics: [{ name: 'b', partitions: [{ partitionIndex: 0, offset: -1n, leaderEpoch: -1, metadata: '', error: 'NONE' }] }],
    });
    expect(c.fetchOffsets('nobody', null)).toEqual({ error: 'NONE', topics: [] });
  });
});

describe('GroupCoordinator: waiting requests and shutdown', () => {
  const env = useCoordinators();

  it('an aborted JoinGroup is answered NOT_COORDINATOR at once; the member stays and counts as joined', async () => {
    const { coordinator: c } = await env.open();
    const a = await c.joinGroup(joinParams(G));
    await c.syncGroup(syncParams(G, 1, a.memberId, { [a.memberId]: 'x' }));
    const controller = new AbortController();
    const b = c.joinGroup(joinParams(G), controller.signal);
    expect(await settled(b)).toBe(false);
    controller.abort();
    expect((await b).error).toBe('NOT_COORDINATOR');
    const aj = await c.joinGroup(joinParams(G, { memberId: a.memberId }));
    expect(aj.members).toHaveLength(2);
    // An already aborted signal is answered without touching the group.
    expect((await c.joinGroup(joinParams('g2'), AbortSignal.abort())).error).toBe('NOT_COORDINATOR');
    expect(c.describeGroup('g2').state).toBe('Dead');
  });

  it('close answers every waiting JoinGroup and SyncGroup NOT_COORDINATOR', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const a = await c.joinGroup(joinParams(G));
    await c.syncGroup(syncParams(G, 1, a.memberId, { [a.memberId]: 'x' }));
    const b = c.joinGroup(joinParams(G));
    const other = await c.joinGroup(joinParams('g2'));
    const follower = c.joinGroup(joinParams('g2'));
    await c.joinGroup(joinParams('g2', { memberId: other.memberId }));
    const fj = await follower;
    const followerSync = c.syncGroup(syncParams('g2', fj.generationId, fj.memberId));
    await env.close(h);
    expect((await b).error).toBe('NOT_COORDINATOR');
    expect((await followerSync).error).toBe('NOT_COORDINATOR');
    expect(h.scheduler.pending).toBe(0);
  });
});
