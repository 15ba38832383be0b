import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GroupMembership } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import type { RawClient } from '../server/raw-client.js';
import { disposeMembers, expectDisjointComplete, newMember, partitionsOf, settledOn, until, GROUP_BROKER_SETTINGS } from './group-helpers.js';

const TOPIC = 'six';
const ALL = partitionsOf(TOPIC, 6);

let broker: TestBroker;
let raw: RawClient;
beforeAll(async () => {
  broker = await startTestBroker(GROUP_BROKER_SETTINGS);
  raw = await broker.connect();
  await createTopics(raw, [{ name: TOPIC, partitions: 6 }]);
});
afterEach(async () => {
  await disposeMembers();
});
afterAll(async () => {
  await broker.stop();
});

async function describeGroup(groupId: string) {
  const group = (await raw.request(API_KEYS.DescribeGroups, 5, { groups: [groupId] })).groups[0]!;
  return { state: group.groupState, members: group.members.map((m) => m.memberId).sort() };
}

const fast = { topics: [TOPIC], sessionTimeoutMs: 2_000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 10_000 };

describe('GroupMembership against the broker', () => {
  it('one member gets every partition; its id comes from MEMBER_ID_REQUIRED; its heartbeats keep it, across a broken connection too', async () => {
    const a = await newMember(broker.broker.port, { groupId: 'solo', ...fast });
    expect(a.membership.active).toBe(false);
    const assigned = await a.membership.join();
    expectDisjointComplete([assigned], ALL);
    expect(a.membership.memberId).toMatch(/^group-test-/);
    expect(a.membership.generationId).toBeGreaterThan(0);
    expect(a.membership.isLeader).toBe(true);
    expect(a.membership.protocolName).toBe('range');
    expect(a.membership.active).toBe(true);
    // Past its session timeout it is still the one stable member (its heartbeats kept it), and nothing asked it to rejoin.
    const generation = a.membership.generationId;
    await new Promise((resolve) => setTimeout(resolve, fast.sessionTimeoutMs + 500));
    expect(await a.membership.ensureActive()).toBe(false);
    expect(a.membership.generationId).toBe(generation);
    expect(await describeGroup('solo')).toEqual({ state: 'Stable', members: [a.membership.memberId] });

    // A broken connection is retried (the cluster reconnects), not taken for a reason to rebalance.
    (await a.cluster.coordinator('solo')).destroy();
    await new Promise((resolve) => setTimeout(resolve, fast.sessionTimeoutMs + 500));
    expect(a.membership.active).toBe(true);
    expect(a.membership.generationId).toBe(generation);
    expect(await describeGroup('solo')).toEqual({ state: 'Stable', members: [a.membership.memberId] });
  });

  it('three members split 6 partitions; after one crashes, the other two take all 6 once its session expires', async () => {
    const group = await Promise.all([0, 1, 2].map(() => newMember(broker.broker.port, { groupId: 'trio', ...fast })));
    for (const m of group) m.poll();
    await until('three members with 2 partitions each', () => settledOn(group.map((m) => m.membership), ALL));
    expect(group.map((m) => m.membership.assignment.length)).toEqual([2, 2, 2]);
    const [a, b, c] = group as [typeof group[0], typeof group[0], typeof group[0]];
    expect(new Set(group.map((m) => m.membership.memberId)).size).toBe(3);

    // A crash: no LeaveGroup, no more heartbeats (its connections are gone).
    await c.stopPolling();
    const crashedId = c.membership.memberId;
    await c.cluster.close();
    await until('the broker to drop the crashed member after its session timeout', async () => !(await describeGroup('trio')).members.includes(crashedId));
    await until('the two survivors with 3 partitions each', () => settledOn([a.membership, b.membership], ALL));
    expect([a.membership.assignment.length, b.membership.assignment.length]).toEqual([3, 3]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('a clean leave() removes the member at once, and the others rebalance to cover every partition', async () => {
    // Sessions far longer than the test: only LeaveGroup can explain the member going.
    const slow = { ...fast, sessionTimeoutMs: 60_000 };
    const group = await Promise.all([0, 1, 2].map(() => newMember(broker.broker.port, { groupId: 'leavers', ...slow })));
    for (const m of group) m.poll();
    await until('three members settled', () => settledOn(group.map((m) => m.membership), ALL));
    const [a, b, c] = group as [typeof group[0], typeof group[0], typeof group[0]];
    const leaving = b.membership.memberId;
    await b.stopPolling();
    const first = b.membership.leave();
    expect(b.membership.leave()).toBe(first);
    await first;
    expect((await describeGroup('leavers')).members).not.toContain(leaving);
    expect(b.membership.active).toBe(false);
    expect(b.membership.assignment).toEqual([]);
    await expect(b.membership.ensureActive()).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    await until('the two others covering all 6', () => settledOn([a.membership, c.membership], ALL));
    await b.membership.leave(); // idempotent, resolves again
  });

  it('revokes before rejoining (the member can still commit then) and assigns after syncing', async () => {
    const events: string[] = [];
    const a = await newMember(broker.broker.port, {
      groupId: 'callbacks',
      ...fast,
      onPartitionsRevoked: async (partitions) => {
        events.push(`revoked ${partitions.length}`);
        await a.membership.commit(partitions.map((p) => ({ ...p, offset: 5n })));
        events.push('committed');
      },
      onPartitionsAssigned: async (partitions) => void events.push(`assigned ${partitions.length}`),
    });
    expect(await a.membership.ensureActive()).toBe(true);
    expect(events).toEqual(['assigned 6']);
    a.poll();
    const b = await newMember(broker.broker.port, { groupId: 'callbacks', ...fast });
    b.poll();
    await until('two members settled', () => settledOn([a.membership, b.membership], ALL));
    expect(events).toEqual(['assigned 6', 'revoked 6', 'committed', 'assigned 3']);
    expect(a.errors).toEqual([]);
  });

  it('AbortSignal: an aborted join rejects with the reason, and the member can still leave cleanly', async () => {
    const reason = new Error('stop waiting');
    const a = await newMember(broker.broker.port, { groupId: 'abort', ...fast });
    await expect(a.membership.join(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(a.membership.memberId).toBe('');

    // A stable member that heartbeats rarely keeps the next join parked in the broker.
    const holder = await newMember(broker.broker.port, { groupId: 'abort', topics: [TOPIC], sessionTimeoutMs: 30_000, heartbeatIntervalMs: 20_000, rebalanceTimeoutMs: 30_000 });
    await holder.membership.join();
    const controller = new AbortController();
    const joining = a.membership.join(controller.signal);
    await until('the second join to be parked in a rebalance', async () => (await describeGroup('abort')).state === 'PreparingRebalance');
    controller.abort(reason);
    await expect(joining).rejects.toBe(reason);
    const parkedId = a.membership.memberId;
    expect(parkedId).not.toBe('');
    await a.membership.leave();
    expect((await describeGroup('abort')).members).not.toContain(parkedId);
  });

  it('static membership: a restarted instance takes over the member, and the old one is fenced', async () => {
    const options = { groupId: 'static', ...fast, groupInstanceId: 'instance-1' };
    const first = await newMember(broker.broker.port, options);
    const before = await first.membership.join();
    const second = await newMember(broker.broker.port, options);
    const after = await second.membership.join();
    expect(after).toEqual(before);
    expect(second.membership.memberId).not.toBe(first.membership.memberId);
    await until('the old instance to notice it was fenced', () => !first.membership.active);
    await expect(first.membership.ensureActive()).rejects.toMatchObject({ code: 'FENCED_INSTANCE_ID' });

    // A static member does not leave the group on leave(): a restart within its session keeps its partitions.
    const kept = second.membership.memberId;
    await second.membership.leave();
    expect((await describeGroup('static')).members).toEqual([kept]);
  });

  it('rejects bad options up front', async () => {
    const { cluster } = await newMember(broker.broker.port, { groupId: 'x', topics: [TOPIC] });
    expect(() => new GroupMembership({ cluster, groupId: '', topics: [TOPIC] })).toThrow(TypeError);
    expect(() => new GroupMembership({ cluster, groupId: 'g', topics: [] })).toThrow(TypeError);
    expect(() => new GroupMembership({ cluster, groupId: 'g', topics: [TOPIC], heartbeatIntervalMs: 5_000, sessionTimeoutMs: 5_000 })).toThrow(/heartbeatIntervalMs/);
    expect(() => new GroupMembership({ cluster, groupId: 'g', topics: [TOPIC], assignors: [] })).toThrow(TypeError);
  });
});
