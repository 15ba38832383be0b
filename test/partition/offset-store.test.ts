import { describe, expect, it } from 'vitest';
import { FaultyFileSystem, type CrashTail } from '../../src/log/index.js';
import { decodeOffsetsRecord, OFFSETS_TOPIC, offsetsPartitionFor, type CommitOffsetsParams, type GroupCoordinator } from '../../src/partition/index.js';
import { decodeRecords, readBatchHeader } from '../../src/record/index.js';
import { joinParams, syncParams, useCoordinators, type CoordinatorHarness } from './group-fixtures.js';

/** __consumer_offsets: written before acknowledging, replayed at start, compacted, expired. */

const MINUTE = 60_000;

function commit(groupId: string, offsets: Record<string, bigint>, generationId = -1, memberId = ''): CommitOffsetsParams {
  const byTopic = new Map<string, { partitionIndex: number; offset: bigint; metadata: string }[]>();
  for (const [tp, offset] of Object.entries(offsets)) {
    const [topic, p] = tp.split(':') as [string, string];
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ partitionIndex: Number(p), offset, metadata: `at-${offset}` });
  }
  return { groupId, generationId, memberId, groupInstanceId: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}

async function commitOk(c: GroupCoordinator, params: CommitOffsetsParams): Promise<void> {
  const result = await c.commitOffsets(params);
  for (const t of result.topics) for (const p of t.partitions) expect(p.error, `${t.name}-${p.partitionIndex}`).toBe('NONE');
}

/** What OffsetFetch with null topics gives, as "topic:partition" -> offset. */
function committed(c: GroupCoordinator, groupId: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const t of c.fetchOffsets(groupId, null).topics) for (const p of t.partitions) out[`${t.name}:${p.partitionIndex}`] = p.offset;
  return out;
}

/** A Stable group of two members with assignments: ids and generation. */
async function stableGroup(c: GroupCoordinator, groupId: string): Promise<{ a: string; b: string; generationId: number }> {
  const a = await c.joinGroup(joinParams(groupId, { groupInstanceId: null, clientId: 'ca' }));
  await c.syncGroup(syncParams(groupId, a.generationId, a.memberId, { [a.memberId]: 'solo' }));
  const bJoin = c.joinGroup(joinParams(groupId, { clientId: 'cb' }));
  const aj = await c.joinGroup(joinParams(groupId, { memberId: a.memberId }));
  const b = await bJoin;
  const bSync = c.syncGroup(syncParams(groupId, b.generationId, b.memberId));
  await c.syncGroup(syncParams(groupId, aj.generationId, a.memberId, { [a.memberId]: 'A', [b.memberId]: 'B' }));
  await bSync;
  return { a: a.memberId, b: b.memberId, generationId: aj.generationId };
}

async function setup(h: CoordinatorHarness): Promise<void> {
  await h.topics.createTopic({ name: 'orders', numPartitions: 3 });
  await h.topics.createTopic({ name: 'audit', numPartitions: 1 });
}

describe('OffsetStore: durability', () => {
  const env = useCoordinators();

  it('offsets and group metadata are replayed after a clean restart', async () => {
    const first = await env.open();
    await setup(first);
    const c1 = first.coordinator;
    const g = await stableGroup(c1, 'live');
    await commitOk(c1, commit('live', { 'orders:0': 5n, 'orders:1': 6n }, g.generationId, g.a));
    await commitOk(c1, commit('live', { 'orders:0': 7n }, g.generationId, g.a));
    await commitOk(c1, commit('standalone', { 'audit:0': 42n }));
    const quitter = await c1.joinGroup(joinParams('emptied'));
    await c1.syncGroup(syncParams('emptied', 1, quitter.memberId, { [quitter.memberId]: 'x' }));
    await commitOk(c1, commit('emptied', { 'orders:2': 3n }, 1, quitter.memberId));
    c1.leaveGroup({ groupId: 'emptied', members: [{ memberId: quitter.memberId, groupInstanceId: null }] });
    await c1.idle();
    expect(first.topics.topic(OFFSETS_TOPIC)).toMatchObject({ internal: true, numPartitions: 3 });
    await env.close(first);

    const second = await env.open();
    const c2 = second.coordinator;
    expect(committed(c2, 'live')).toEqual({ 'orders:0': 7n, 'orders:1': 6n });
    expect(committed(c2, 'standalone')).toEqual({ 'audit:0': 42n });
    expect(committed(c2, 'emptied')).toEqual({ 'orders:2': 3n });
    expect(c2.fetchOffsets('live', [{ name: 'orders', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.metadata).toBe('at-7');
    expect(c2.listGroups().groups).toEqual([
      { groupId: 'emptied', protocolType: 'consumer', state: 'Empty' },
      { groupId: 'live', protocolType: 'consumer', state: 'Stable' },
      { groupId: 'standalone', protocolType: '', state: 'Empty' },
    ]);
    // The Stable group comes back with its members, generation, leader and assignments.
    const live = c2.describeGroup('live');
    expect(live.members.map((m) => [m.memberId, m.clientId, m.assignment.toString()])).toEqual([
      [g.a, 'ca', 'A'],
      [g.b, 'cb', 'B'],
    ]);
    expect(c2.heartbeat({ groupId: 'live', generationId: g.generationId, memberId: g.b, groupInstanceId: null })).toBe('NONE');
    expect((await c2.syncGroup(syncParams('live', g.generationId, g.b))).assignment.toString()).toBe('B');
    await commitOk(c2, commit('live', { 'orders:1': 9n }, g.generationId, g.b));
    // The emptied group kept its generation: its next one follows on.
    expect((await c2.joinGroup(joinParams('emptied'))).generationId).toBe(3);
    // A restored member that never comes back is timed out as usual.
    second.scheduler.advance(5_000);
    expect(c2.heartbeat({ groupId: 'live', generationId: g.generationId, memberId: g.b, groupInstanceId: null })).toBe('NONE');
    second.scheduler.advance(5_000);
    expect(c2.describeGroup('live').state).toBe('PreparingRebalance');
  });

  it('records are Kafka keys and values with version prefixes, in the partition Kafka would pick', async () => {
    const h = await env.open();
    await setup(h);
    await commitOk(h.coordinator, commit('billing', { 'orders:1': 11n }));
    const p = offsetsPartitionFor('billing', 3);
    const bytes = await h.topics.partition(OFFSETS_TOPIC, p).read(0n, 1 << 20);
    const records = decodeRecords(bytes, readBatchHeader(bytes));
    expect(records).toHaveLength(1);
    expect(records[0]!.key!.readInt16BE(0)).toBe(1);
    expect(records[0]!.value!.readInt16BE(0)).toBe(3);
    expect(decodeOffsetsRecord(records[0]!.key!, records[0]!.value)).toMatchObject({ kind: 'offset', groupId: 'billing', topic: 'orders', partition: 1, value: { offset: 11n } });
    // Clients may not produce to it; Metadata shows it as internal.
    await expect(h.topics.partition(OFFSETS_TOPIC, p).append(bytes)).rejects.toMatchObject({ code: 'INVALID_TOPIC_EXCEPTION' });
    expect(h.topics.describeTopic(OFFSETS_TOPIC).internal).toBe(true);
  });

  for (const tail of ['lose-unsynced', 'torn', 'keep-unsynced'] as CrashTail[]) {
    it(`every acknowledged commit survives a crash (${tail})`, async () => {
      const fs = new FaultyFileSystem();
      const first = await env.open({}, { fs });
      await setup(first);
      const c1 = first.coordinator;
      const g = await stableGroup(c1, 'live');
      const expected: Record<string, bigint> = {};
      for (let i = 0; i < 20; i++) {
        const tp = `orders:${i % 3}`;
        await commitOk(c1, commit('live', { [tp]: BigInt(100 + i) }, g.generationId, g.a));
        expected[tp] = BigInt(100 + i);
      }
      await fs.crash(tail);
      env.abandon(first);
      await first.coordinator.close().catch(() => {});
      await first.topics.close().catch(() => {});

      const second = await env.open();
      expect(committed(second.coordinator, 'live')).toEqual(expected);
      expect(second.coordinator.describeGroup('live')).toMatchObject({ state: 'Stable' });
      expect(second.coordinator.describeGroup('live').members).toHaveLength(2);
    });
  }
});

describe('OffsetStore: compaction', () => {
  const env = useCoordinators();

  it('keeps the live state and bounds the log however many commits it takes', async () => {
    const h = await env.open({ 'offsets.topic.num.partitions': '1' }, { compactionBytes: 8192 });
    await setup(h);
    const c = h.coordinator;
    const g = await stableGroup(c, 'busy');
    const log = () => h.topics.partition(OFFSETS_TOPIC, 0).log;
    let maxSize = 0;
    for (let i = 0; i < 400; i++) {
      await commitOk(c, commit('busy', { [`orders:${i % 3}`]: BigInt(i) }, g.generationId, g.a));
      if (i % 50 === 0) await commitOk(c, commit(`other-${i}`, { 'audit:0': BigInt(i) }));
      await c.idle();
      maxSize = Math.max(maxSize, log().size);
    }
    expect(log().logStartOffset).toBeGreaterThan(0n);
    expect(maxSize).toBeLessThan(8192 + 2048);
    expect(committed(c, 'busy')).toEqual({ 'orders:0': 399n, 'orders:1': 397n, 'orders:2': 398n });
    // Deleting a group leaves tombstones; the next compaction forgets the group entirely.
    expect(await c.deleteGroup('other-0')).toBe('NONE');
    const result = await c.store.compact(0);
    expect(result.keptRecords).toBe(1 + 3 + 7); // busy's metadata and 3 offsets, 7 remaining standalone groups
    await env.close(h);

    const again = await env.open({ 'offsets.topic.num.partitions': '1' }, { compactionBytes: 8192 });
    expect(committed(again.coordinator, 'busy')).toEqual({ 'orders:0': 399n, 'orders:1': 397n, 'orders:2': 398n });
    expect(committed(again.coordinator, 'other-0')).toEqual({});
    expect(committed(again.coordinator, 'other-50')).toEqual({ 'audit:0': 50n });
    expect(again.coordinator.describeGroup('busy').members.map((m) => m.assignment.toString())).toEqual(['A', 'B']);
    expect(again.coordinator.listGroups().groups).toHaveLength(8);
  });

  it('a crash at any point of a compaction leaves a log that replays to the same state', async () => {
    for (let ticks = 0; ticks < 40; ticks += 3) {
      const fs = new FaultyFileSystem();
      const h = await env.open({ 'offsets.topic.num.partitions': '1' }, { fs, compactionBytes: 1 << 30 });
      if (ticks === 0) await setup(h);
      const c = h.coordinator;
      for (let i = 0; i < 30; i++) await commitOk(c, commit(`g${i % 4}`, { [`orders:${i % 3}`]: BigInt(ticks * 100 + i) }));
      await c.deleteGroup('g3');
      const before = ['g0', 'g1', 'g2', 'g3'].map((id) => committed(c, id));
      const compaction = c.store.compact(0).catch(() => 'crashed');
      for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
      await fs.crash('lose-unsynced');
      await compaction;
      env.abandon(h);
      await h.coordinator.close().catch(() => {});
      await h.topics.close().catch(() => {});
      const after = await env.open({ 'offsets.topic.num.partitions': '1' }, { compactionBytes: 1 << 30 });
      expect(['g0', 'g1', 'g2', 'g3'].map((id) => committed(after.coordinator, id)), `crash after ${ticks} ticks`).toEqual(before);
      await env.close(after);
    }
  });
});

describe('OffsetStore: expiry (offsets.retention.minutes)', () => {
  const env = useCoordinators();

  it('offsets of a group that stays empty expire, counted from when it became empty; then the group goes', async () => {
    const h = await env.open({ 'offsets.retention.minutes': '60' });
    await setup(h);
    const c = h.coordinator;
    const a = await c.joinGroup(joinParams('emptied', { sessionTimeoutMs: 30 * MINUTE }));
    await c.syncGroup(syncParams('emptied', 1, a.memberId, { [a.memberId]: 'x' }));
    await commitOk(c, commit('emptied', { 'orders:0': 1n }, 1, a.memberId));
    // The member stays (heartbeating) for two hours: its offsets do not expire meanwhile.
    for (let t = 0; t < 120; t += 5) {
      h.scheduler.advance(5 * MINUTE);
      expect(c.heartbeat({ groupId: 'emptied', generationId: 1, memberId: a.memberId, groupInstanceId: null })).toBe('NONE');
    }
    await c.idle();
    expect(committed(c, 'emptied')).toEqual({ 'orders:0': 1n });
    c.leaveGroup({ groupId: 'emptied', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    expect(c.describeGroup('emptied').state).toBe('Empty');
    await commitOk(c, commit('standalone', { 'audit:0': 5n }));

    expect(await c.expireOffsets()).toEqual({ expiredOffsets: 0, deletedGroups: [] });
    h.scheduler.advance(59 * MINUTE);
    await c.idle();
    expect(committed(c, 'emptied')).toEqual({ 'orders:0': 1n });
    // The check runs every 10 minutes (Kafka's offsets.retention.check.interval.ms).
    h.scheduler.advance(10 * MINUTE);
    await c.idle();
    expect(committed(c, 'emptied')).toEqual({});
    expect(committed(c, 'standalone')).toEqual({});
    expect(c.listGroups().groups).toEqual([]);
    await env.close(h);

    const again = await env.open({ 'offsets.retention.minutes': '60' });
    expect(again.coordinator.listGroups().groups).toEqual([]);
    expect(committed(again.coordinator, 'emptied')).toEqual({});
  });

  it('a commit keeps its offset for the full retention even in a group empty for longer', async () => {
    const h = await env.open({ 'offsets.retention.minutes': '60' });
    await setup(h);
    const c = h.coordinator;
    await commitOk(c, commit('manual', { 'orders:0': 1n, 'orders:1': 1n }));
    h.clock.advance(50 * MINUTE);
    await commitOk(c, commit('manual', { 'orders:1': 2n }));
    h.clock.advance(10 * MINUTE);
    expect(await c.expireOffsets()).toEqual({ expiredOffsets: 1, deletedGroups: [] });
    expect(committed(c, 'manual')).toEqual({ 'orders:1': 2n });
    h.clock.advance(50 * MINUTE);
    expect(await c.expireOffsets()).toEqual({ expiredOffsets: 1, deletedGroups: ['manual'] });
  });
});

describe('OffsetStore: loading', () => {
  const env = useCoordinators();

  it('skips records it cannot read (with a warning) and loads the rest', async () => {
    const first = await env.open({ 'offsets.topic.num.partitions': '1' });
    await setup(first);
    await commitOk(first.coordinator, commit('g', { 'orders:0': 1n }));
    const { buildBatch } = await import('../../src/record/index.js');
    const junk = buildBatch([
      { key: Buffer.from('0001ff', 'hex'), value: Buffer.from('00') }, // truncated key
      { key: Buffer.from('0009000167', 'hex'), value: null }, // a record type we do not use
      { key: null, value: Buffer.from('no key') },
    ]);
    await first.topics.partition(OFFSETS_TOPIC, 0).append(junk, { durable: true, origin: 'broker' });
    await commitOk(first.coordinator, commit('g', { 'orders:1': 2n }));
    await env.close(first);
    const second = await env.open({ 'offsets.topic.num.partitions': '1' });
    expect(committed(second.coordinator, 'g')).toEqual({ 'orders:0': 1n, 'orders:1': 2n });
    expect(second.warnings.filter((w) => w.includes(OFFSETS_TOPIC))).toHaveLength(2);
  });

  it('a log it cannot read leaves the coordinator unavailable (COORDINATOR_NOT_AVAILABLE), not loading forever', async () => {
    const first = await env.open({ 'offsets.topic.num.partitions': '1' });
    await setup(first);
    await commitOk(first.coordinator, commit('g', { 'orders:0': 1n }));
    await env.close(first);
    const fs = new FaultyFileSystem();
    const h = await env.open({ 'offsets.topic.num.partitions': '1' }, { fs });
    // Reopen the store over a filesystem that has failed.
    await fs.crash('keep-unsynced');
    const { GroupCoordinator } = await import('../../src/partition/index.js');
    const broken = new GroupCoordinator({ topics: h.topics, clock: h.clock, scheduler: h.scheduler, onWarning: (m) => h.warnings.push(m) });
    await broken.start();
    expect(broken.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).toBe('COORDINATOR_NOT_AVAILABLE');
    expect(h.warnings.some((w) => w.includes('could not load'))).toBe(true);
    await broken.close();
  });
});
