import { describe, expect, it } from 'vitest';
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type GroupCoordinator } from '../../src/partition/index.js';
import { joinParams, protocols, REBALANCE_MS, SESSION_MS, settled, syncParams, useCoordinators, type CoordinatorHarness } from './group-fixtures.js';

/** The group coordinator's membership and offsets, time driven by a ManualScheduler. */

const G = 'group-a';

/** Joins one member and syncs it into a Stable group of its own. */
async function stableSingle(c: GroupCoordinator, groupId = G): Promise<{ memberId: string; generationId: number }> {
  const joined = await c.joinGroup(joinParams(groupId));
  expect(joined.error).toBe('NONE');
  const synced = await c.syncGroup(syncParams(groupId, joined.generationId, joined.memberId, { [joined.memberId]: 'all' }));
  expect(synced.error).toBe('NONE');
  return { memberId: joined.memberId, generationId: joined.generationId };
}

/** Two members, A the leader, both synced: generation and ids. */
async function stablePair(h: CoordinatorHarness): Promise<{ a: string; b: string; generationId: number }> {
  const c = h.coordinator;
  const a = await stableSingle(c);
  const bJoin = c.joinGroup(joinParams(G));
  expect(c.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
  const aJoin = await c.joinGroup(joinParams(G, { memberId: a.memberId }));
  const b = await bJoin;
  expect(aJoin.generationId).toBe(a.generationId + 1);
  const syncB = c.syncGroup(syncParams(G, b.generationId, b.memberId));
  const syncA = await c.syncGroup(syncParams(G, aJoin.generationId, a.memberId, { [a.memberId]: 'p0', [b.memberId]: 'p1' }));
  expect(syncA.assignment.toString()).toBe('p0');
  expect((await syncB).assignment.toString()).toBe('p1');
  return { a: a.memberId, b: b.memberId, generationId: aJoin.generationId };
}

describe('GroupCoordinator: joining and syncing', () => {
  const env = useCoordinators();

  it('a lone member joins generation 1 as leader, gets the metadata back, and its own assignment', async () => {
    const { coordinator: c } = await env.open();
    const joined = await c.joinGroup(joinParams(G, { clientId: 'kafka-python' }));
    expect(joined).toMatchObject({ error: 'NONE', generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: joined.memberId });
    expect(joined.memberId).toMatch(/^kafka-python-[0-9a-f-]{36}$/);
    expect(joined.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, metadata: Buffer.from('meta-range') }]);
    expect(c.describeGroup(G).state).toBe('CompletingRebalance');
    const synced = await c.syncGroup(syncParams(G, 1, joined.memberId, { [joined.memberId]: 'opaque-assignment' }));
    expect(synced).toEqual({ error: 'NONE', protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('opaque-assignment') });
    expect(c.describeGroup(G)).toEqual({
      error: 'NONE',
      groupId: G,
      state: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [{ memberId: joined.memberId, groupInstanceId: null, clientId: 'kafka-python', clientHost: '/127.0.0.1', metadata: Buffer.from('meta-range'), assignment: Buffer.from('opaque-assignment') }],
    });
    // A follower-style SyncGroup in Stable just gets the assignment again.
    expect((await c.syncGroup(syncParams(G, 1, joined.memberId))).assignment.toString()).toBe('opaque-assignment');
  });

  it('JoinGroup v4+: MEMBER_ID_REQUIRED with a fresh id, then the join with it; an unused id expires after the session timeout', async () => {
    const { coordinator: c, scheduler } = await env.open();
    const first = await c.joinGroup(joinParams(G, { requireKnownMemberId: true, clientId: 'rdkafka' }));
    expect(first.error).toBe('MEMBER_ID_REQUIRED');
    expect(first.memberId).toMatch(/^rdkafka-/);
    expect(c.describeGroup(G)).toMatchObject({ state: 'Empty', members: [] });
    const second = await c.joinGroup(joinParams(G, { requireKnownMemberId: true, memberId: first.memberId }));
    expect(second).toMatchObject({ error: 'NONE', memberId: first.memberId, generationId: 1, leader: first.memberId });

    const unused = await c.joinGroup(joinParams('group-b', { requireKnownMemberId: true }));
    scheduler.advance(SESSION_MS);
    expect((await c.joinGroup(joinParams('group-b', { memberId: unused.memberId }))).error).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a rebalance waits for an id handed out with MEMBER_ID_REQUIRED until that member joins', async () => {
    const { coordinator: c } = await env.open();
    const a = await stableSingle(c);
    const pending = await c.joinGroup(joinParams(G, { requireKnownMemberId: true }));
    expect(pending.error).toBe('MEMBER_ID_REQUIRED');
    // A rejoins (as its heartbeat would tell it after another join): the rebalance now waits for the pending id.
    const aJoin = c.joinGroup(joinParams(G, { memberId: a.memberId, protocols: protocols('range', 'roundrobin') }));
    expect(await settled(aJoin)).toBe(false);
    const bJoin = await c.joinGroup(joinParams(G, { memberId: pending.memberId, requireKnownMemberId: true }));
    expect(bJoin.generationId).toBe(2);
    expect((await aJoin).members.map((m) => m.memberId).sort()).toEqual([a.memberId, pending.memberId].sort());
  });

  it('two members: the second join starts a rebalance, the leader assigns, followers wait for it in SyncGroup', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const a = await stableSingle(c);
    const bJoin = c.joinGroup(joinParams(G));
    expect(c.describeGroup(G).state).toBe('PreparingRebalance');
    expect(await settled(bJoin)).toBe(false);
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
    // During PreparingRebalance SyncGroup is refused and the current generation may still commit.
    expect((await c.syncGroup(syncParams(G, 1, a.memberId))).error).toBe('REBALANCE_IN_PROGRESS');
    const aJoin = await c.joinGroup(joinParams(G, { memberId: a.memberId }));
    const b = await bJoin;
    expect(aJoin.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect(aJoin.leader).toBe(a.memberId);
    expect(b.leader).toBe(a.memberId);
    expect(aJoin.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(b.members).toEqual([]);
    const bSync = c.syncGroup(syncParams(G, 2, b.memberId));
    expect(await settled(bSync)).toBe(false);
    expect(c.heartbeat({ groupId: G, generationId: 2, memberId: b.memberId, groupInstanceId: null })).toBe('NONE');
    const aSync = await c.syncGroup(syncParams(G, 2, a.memberId, { [a.memberId]: 'p0,p1', [b.memberId]: 'p2' }));
    expect(aSync.assignment.toString()).toBe('p0,p1');
    expect((await bSync).assignment.toString()).toBe('p2');
    expect(c.describeGroup(G).state).toBe('Stable');
  });

  it('the chosen protocol is the one most members prefer among those all support', async () => {
    const { coordinator: c, scheduler } = await env.open({ 'group.initial.rebalance.delay.ms': '100' });
    const joins = [
      c.joinGroup(joinParams(G, { protocols: protocols('sticky', 'range', 'roundrobin') })),
      c.joinGroup(joinParams(G, { protocols: protocols('roundrobin', 'range') })),
      c.joinGroup(joinParams(G, { protocols: protocols('roundrobin', 'range', 'sticky') })),
    ];
    scheduler.advance(100); // members came during the delay: it waits once more
    expect(await settled(joins[0]!)).toBe(false);
    scheduler.advance(100);
    const results = await Promise.all(joins);
    expect(results.map((r) => r.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    // The leader gets each member's metadata for the chosen protocol.
    expect(results[0]!.members.map((m) => m.metadata.toString())).toEqual(['meta-roundrobin', 'meta-roundrobin', 'meta-roundrobin']);
  });

  it('group.initial.rebalance.delay.ms: the first rebalance waits, and waits again while members keep coming, up to the rebalance timeout', async () => {
    const { coordinator: c, scheduler } = await env.open({ 'group.initial.rebalance.delay.ms': '3000' });
    const a = c.joinGroup(joinParams(G, { rebalanceTimeoutMs: 7000 }));
    scheduler.advance(2999);
    expect(await settled(a)).toBe(false);
    const b = c.joinGroup(joinParams(G));
    scheduler.advance(1); // 3000: a member came during the delay, so it waits another 3000
    expect(await settled(a)).toBe(false);
    const cc = c.joinGroup(joinParams(G));
    scheduler.advance(3000); // 6000: again; only 1000 of the 7000 ms rebalance timeout remain
    expect(await settled(a)).toBe(false);
    c.joinGroup(joinParams(G)).catch(() => {});
    scheduler.advance(999);
    expect(await settled(a)).toBe(false);
    scheduler.advance(1); // 7000: the rebalance timeout ends the wait whatever happens
    const results = await Promise.all([a, b, cc]);
    expect(new Set(results.map((r) => r.generationId))).toEqual(new Set([1]));
    expect(results[0]!.members).toHaveLength(4);
  });
});

describe('GroupCoordinator: timeouts', () => {
  const env = useCoordinators();

  it('a member that stops heartbeating is removed after its session timeout, and a rebalance follows', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const { a, b, generationId } = await stablePair(h);
    // A heartbeats every 3 s; B falls silent.
    for (let t = 0; t < SESSION_MS - 3000; t += 3000) {
      h.scheduler.advance(3000);
      expect(c.heartbeat({ groupId: G, generationId, memberId: a, groupInstanceId: null })).toBe('NONE');
    }
    expect(c.describeGroup(G).members).toHaveLength(2);
    h.scheduler.advance(3000); // 12 s since B was last heard of
    expect(c.describeGroup(G)).toMatchObject({ state: 'PreparingRebalance' });
    expect(c.describeGroup(G).members.map((m) => m.memberId)).toEqual([a]);
    expect(c.heartbeat({ groupId: G, generationId, memberId: b, groupInstanceId: null })).toBe('UNKNOWN_MEMBER_ID');
    expect(c.heartbeat({ groupId: G, generationId, memberId: a, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
    const rejoined = await c.joinGroup(joinParams(G, { memberId: a }));
    expect(rejoined).toMatchObject({ generationId: generationId + 1, leader: a });
    expect(rejoined.members.map((m) => m.memberId)).toEqual([a]);
  });

  it('the last member timing out leaves the group Empty, a generation later', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const a = await stableSingle(c);
    h.scheduler.advance(SESSION_MS);
    expect(c.describeGroup(G)).toMatchObject({ state: 'Empty', members: [] });
    expect(c.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).toBe('UNKNOWN_MEMBER_ID');
    expect((await c.joinGroup(joinParams(G))).generationId).toBe(a.generationId + 2);
  });

  it('a member waiting in JoinGroup is not timed out by its session; laggards are dropped at the rebalance timeout', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const { a, b, generationId } = await stablePair(h);
    const aJoin = c.joinGroup(joinParams(G, { memberId: a, rebalanceTimeoutMs: REBALANCE_MS }));
    // B keeps heartbeating but never rejoins: heartbeats do not make it part of the next generation.
    for (let t = 0; t < REBALANCE_MS - 5000; t += 5000) {
      h.scheduler.advance(5000);
      expect(c.heartbeat({ groupId: G, generationId, memberId: b, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
      expect(await settled(aJoin)).toBe(false);
    }
    h.scheduler.advance(5000);
    const joined = await aJoin;
    expect(joined).toMatchObject({ error: 'NONE', generationId: generationId + 1 });
    expect(joined.members.map((m) => m.memberId)).toEqual([a]);
    expect(c.heartbeat({ groupId: G, generationId, memberId: b, groupInstanceId: null })).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a member that never sends SyncGroup is dropped after the rebalance timeout, and the group rebalances', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const { a, b, generationId } = await stablePair(h);
    const aJoin = c.joinGroup(joinParams(G, { memberId: a }));
    const bJoin = c.joinGroup(joinParams(G, { memberId: b }));
    const [aj, bj] = await Promise.all([aJoin, bJoin]);
    expect(aj.generationId).toBe(generationId + 1);
    // Only B syncs; A (the leader) never sends SyncGroup, though it keeps heartbeating.
    const bSync = c.syncGroup(syncParams(G, bj.generationId, b));
    for (let t = 0; t < REBALANCE_MS - 5000; t += 5000) {
      h.scheduler.advance(5000);
      expect(c.heartbeat({ groupId: G, generationId: aj.generationId, memberId: a, groupInstanceId: null })).toBe('NONE');
    }
    h.scheduler.advance(4999);
    expect(await settled(bSync)).toBe(false);
    h.scheduler.advance(1);
    expect((await bSync).error).toBe('REBALANCE_IN_PROGRESS');
    expect(c.describeGroup(G)).toMatchObject({ state: 'PreparingRebalance' });
    expect(c.describeGroup(G).members.map((m) => m.memberId)).toEqual([b]);
  });

  it('a new member whose JoinGroup stays parked is dropped after the new-member join timeout', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const a = await stableSingle(c);
    const bJoin = c.joinGroup(joinParams(G, { rebalanceTimeoutMs: 10 * NEW_MEMBER_JOIN_TIMEOUT_MS }));
    // A never rejoins but keeps heartbeating, so the rebalance waits for its long timeout...
    for (let t = 0; t < NEW_MEMBER_JOIN_TIMEOUT_MS; t += 5000) {
      expect(c.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).toBe('REBALANCE_IN_PROGRESS');
      h.scheduler.advance(5000);
    }
    // ...but the new member is dropped once its join has been parked for 5 minutes.
    expect((await bJoin).error).toBe('UNKNOWN_MEMBER_ID');
    expect(c.describeGroup(G).members.map((m) => m.memberId)).toEqual([a.memberId]);
  });
});

describe('GroupCoordinator: static membership', () => {
  const env = useCoordinators();

  it('a static member rejoining with a new member id keeps its assignment without a rebalance; the old id is fenced', async () => {
    const h = await env.open({ 'group.initial.rebalance.delay.ms': '100' });
    const c = h.coordinator;
    const aJoin = c.joinGroup(joinParams(G, { groupInstanceId: 'host-a' }));
    const bJoin = c.joinGroup(joinParams(G, { groupInstanceId: 'host-b' }));
    h.scheduler.advance(200);
    const [a, b] = await Promise.all([aJoin, bJoin]);
    expect(a.memberId).toMatch(/^host-a-/);
    const leader = a.leader === a.memberId ? a : b;
    const follower = leader === a ? b : a;
    expect(leader.members.map((m) => m.groupInstanceId).sort()).toEqual(['host-a', 'host-b']);
    const followerSync = c.syncGroup(syncParams(G, 1, follower.memberId));
    await c.syncGroup(syncParams(G, 1, leader.memberId, { [a.memberId]: 'A-parts', [b.memberId]: 'B-parts' }));
    await followerSync;

    // host-b restarts: it joins with no member id.
    const restarted = await c.joinGroup(joinParams(G, { groupInstanceId: 'host-b' }));
    expect(restarted).toMatchObject({ error: 'NONE', generationId: 1 });
    expect(restarted.memberId).not.toBe(b.memberId);
    expect(c.describeGroup(G).state).toBe('Stable');
    const synced = await c.syncGroup(syncParams(G, 1, restarted.memberId, {}, { groupInstanceId: 'host-b' }));
    expect(synced.assignment.toString()).toBe('B-parts');
    // The old incarnation is fenced.
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: b.memberId, groupInstanceId: 'host-b' })).toBe('FENCED_INSTANCE_ID');
    expect((await c.syncGroup(syncParams(G, 1, b.memberId, {}, { groupInstanceId: 'host-b' }))).error).toBe('FENCED_INSTANCE_ID');
    expect((await c.joinGroup(joinParams(G, { memberId: b.memberId, groupInstanceId: 'host-b' }))).error).toBe('FENCED_INSTANCE_ID');
    expect(c.heartbeat({ groupId: G, generationId: 1, memberId: restarted.memberId, groupInstanceId: 'host-b' })).toBe('NONE');
    // host-a restarts too: the answer names the leader as it was before, so a new instance of
    // the leader doesn't take itself for the leader (Kafka's updateStaticMemberAndRebalance).
    const leaderNow = leader === a ? a.memberId : restarted.memberId;
    const newA = await c.joinGroup(joinParams(G, { groupInstanceId: 'host-a' }));
    expect(newA).toMatchObject({ error: 'NONE', generationId: 1, leader: leaderNow, members: [] });
    expect(newA.memberId).not.toBe(a.memberId);
    await c.syncGroup(syncParams(G, 1, newA.memberId, {}, { groupInstanceId: 'host-a' }));
    // The replacement was persisted: after a restart the new id is the member.
    await env.close(h);
    const again = await env.open();
    expect(again.coordinator.describeGroup(G).members.map((m) => m.memberId).sort()).toEqual([newA.memberId, restarted.memberId].sort());
    expect(again.coordinator.heartbeat({ groupId: G, generationId: 1, memberId: restarted.memberId, groupInstanceId: 'host-b' })).toBe('NONE');
  });

  it('a static member whose JoinGroup is parked is answered FENCED_INSTANCE_ID when a new incarnation takes over', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const a = await stableSingle(c);
    // The first incarnation of host-s is parked in the rebalance (A has not rejoined).
    const s = c.joinGroup(joinParams(G, { groupInstanceId: 'host-s' }));
    expect(await settled(s)).toBe(false);
    const replacement = c.joinGroup(joinParams(G, { groupInstanceId: 'host-s' }));
    expect((await s).error).toBe('FENCED_INSTANCE_ID');
    const aJoin = await c.joinGroup(joinParams(G, { memberId: a.memberId }));
    expect((await replacement).generationId).toBe(aJoin.generationId);
  });

  it('LeaveGroup v3 by group.instance.id, with a stale member id fenced', async () => {
    const h = await env.open();
    const c = h.coordinator;
    const s = await c.joinGroup(joinParams(G, { groupInstanceId: 'host-s' }));
    const result = c.leaveGroup({
      groupId: G,
      members: [
        { memberId: 'stale-id', groupInstanceId: 'host-s' },
        { memberId: '', groupInstanceId: 'nobody' },
        { memberId: '', groupInstanceId: 'host-s' },
        { memberId: 'unknown', groupInstanceId: null },
      ],
    });
    expect(result).toEqual({
      error: 'NONE',
      members: [
        { memberId: 'stale-id', groupInstanceId: 'host-s', error: 'FENCED_INSTANCE_ID' },
        { memberId: '', groupInstanceId: 'nobody', error: 'UNKNOWN_MEMBER_ID' },
        { memberId: '', groupInstanceId: 'host-s', error: 'NONE' },
        { memberId: 'unknown', groupInstanceId: null, error: 'UNKNOWN_MEMBER_ID' },
      ],
    });
    expect(c.describeGroup(G)).toMatchObject({ state: 'Empty', members: [] });
    expect(s.generationId).toBe(1);
  });
});
