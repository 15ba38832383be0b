import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { resolveBrokerConfig } from '../../src/config/index.js';
import { FaultyFileSystem } from '../../src/log/index.js';
import { GroupCoordinator, ManualScheduler, TopicManager, type JoinGroupResult } from '../../src/partition/index.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';
import { NOW } from './group-fixtures.js';

/**
 * Properties of the coordinator under random joins, syncs, heartbeats, leaves, commits,
 * client restarts, the passing of time and broker crashes (power loss: what was not fsynced
 * is lost), with simulated consumers that behave as real ones do (eager rebalancing: a member
 * gives up its partitions when told to rejoin; the leader assigns round-robin):
 *
 * 1. Never two clients owning one partition in one generation.
 * 2. Committed offsets change only through accepted commits: after every step, and after
 *    every crash and reload, OffsetFetch gives exactly the offsets of the accepted commits.
 * 3. An accepted commit came from the current generation (never one older than a generation
 *    already handed out), or was standalone while the group had no members.
 */

const GROUP = 'prop-group';
const TOPIC = 'events';
const PARTITIONS = 6;
const SESSION_MS = 10_000;
const REBALANCE_MS = 20_000;

type Op =
  | { kind: 'step' | 'join' | 'sync' | 'heartbeat' | 'leave' | 'restartClient'; client: number }
  | { kind: 'commit'; client: number; partition: number; offset: number }
  | { kind: 'time'; ms: number }
  | { kind: 'crash' };

const CLIENTS = 4;
/** Client 0 and 1 speak JoinGroup v4+ (MEMBER_ID_REQUIRED), client 2 v0-3, client 3 is static (v5, group.instance.id). */
const STATIC_CLIENT = 3;

const client = fc.nat(CLIENTS - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  // What a consumer does next on its own: join, sync or heartbeat, as its state says.
  { weight: 40, arbitrary: fc.record({ kind: fc.constant('step' as const), client }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('commit' as const), client, partition: fc.nat(PARTITIONS - 1), offset: fc.nat(10_000) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(100, 1_000, 3_000, 9_000, 11_000, 25_000) }) },
  // Out of turn: a join (new metadata, a leader rejoining), a sync or heartbeat whatever the state.
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('join' as const, 'sync' as const, 'heartbeat' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('leave' as const, 'restartClient' as const), client }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

interface Client {
  memberId: string;
  generationId: number;
  /** Told to rejoin (or never joined): its next step is a JoinGroup. */
  needsRejoin: boolean;
  /** The JoinGroup answer it has not synced yet. */
  joined: JoinGroupResult | null;
  owned: number[];
  busy: boolean;
}

function freshClient(): Client {
  return { memberId: '', generationId: -1, needsRejoin: true, joined: null, owned: [], busy: false };
}

interface Broker {
  fs: FaultyFileSystem;
  topics: TopicManager;
  coordinator: GroupCoordinator;
  scheduler: ManualScheduler;
}

async function runScenario(ops: Op[], initialDelayMs: number): Promise<void> {
  const { dir, cleanup } = await makeScratchDir('tidelog-group-prop-');
  const clock = new ManualClock(NOW);
  const config = resolveBrokerConfig({ 'group.initial.rebalance.delay.ms': String(initialDelayMs), 'offsets.topic.num.partitions': '2' });
  const open = async (): Promise<Broker> => {
    const fs = new FaultyFileSystem();
    const topics = await TopicManager.open({ dataDir: dir, broker: config, clock, fs });
    const scheduler = new ManualScheduler(clock);
    const coordinator = new GroupCoordinator({ topics, config, clock, scheduler, compactionBytes: 2048 });
    await coordinator.start();
    return { fs, topics, coordinator, scheduler };
  };
  let broker = await open();
  await broker.topics.createTopic({ name: TOPIC, numPartitions: PARTITIONS });
  const clients = Array.from({ length: CLIENTS }, freshClient);
  /** generation -> partition -> owning client */
  const owners = new Map<number, Map<number, number>>();
  const committed = new Map<number, bigint>();
  /** The highest generation handed out since the last crash. */
  let maxGeneration = 0;
  const failures: string[] = [];

  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await broker.coordinator.idle();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const own = (client: number, generationId: number, partitions: number[]) => {
    let byPartition = owners.get(generationId);
    if (!byPartition) owners.set(generationId, (byPartition = new Map()));
    for (const p of partitions) {
      const owner = byPartition.get(p);
      if (owner !== undefined && owner !== client) failures.push(`generation ${generationId}: partition ${p} owned by clients ${owner} and ${client}`);
      byPartition.set(p, client);
    }
  };

  const forget = (c: Client) => Object.assign(c, { memberId: '', generationId: -1, needsRejoin: true, joined: null, owned: [] });

  try {
    for (const original of ops) {
      const b = broker;
      let op = original;
      if (op.kind === 'step') {
        const st = clients[op.client]!;
        op = { kind: st.joined ? 'sync' : st.needsRejoin ? 'join' : 'heartbeat', client: op.client };
      }
      const c = 'client' in op ? clients[op.client]! : null;
      const idx = 'client' in op ? op.client : -1;
      const instance = idx === STATIC_CLIENT ? 'static-3' : null;
      switch (op.kind) {
        case 'join': {
          if (c!.busy) break;
          c!.busy = true;
          c!.owned = []; // eager protocol: everything is revoked before rejoining
          void b.coordinator
            .joinGroup({
              groupId: GROUP,
              memberId: c!.memberId,
              groupInstanceId: instance,
              clientId: `client-${idx}`,
              clientHost: '/127.0.0.1',
              sessionTimeoutMs: SESSION_MS,
              rebalanceTimeoutMs: REBALANCE_MS,
              protocolType: 'consumer',
              protocols: [{ name: 'roundrobin', metadata: Buffer.from([idx]) }],
              requireKnownMemberId: idx < 2,
            })
            .then((r) => {
              c!.busy = false;
              if (r.error === 'NONE') {
                maxGeneration = Math.max(maxGeneration, r.generationId);
                Object.assign(c!, { memberId: r.memberId, generationId: r.generationId, joined: r, needsRejoin: false });
              } else if (r.error === 'MEMBER_ID_REQUIRED') c!.memberId = r.memberId;
              else if (r.error === 'UNKNOWN_MEMBER_ID' || r.error === 'FENCED_INSTANCE_ID') forget(c!);
            });
          break;
        }
        case 'sync': {
          if (c!.busy || !c!.joined) break;
          const joined = c!.joined;
          c!.busy = true;
          const assignments =
            joined.leader === joined.memberId
              ? joined.members.map((m, i) => ({
                  memberId: m.memberId,
                  assignment: Buffer.from(JSON.stringify(Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % joined.members.length === i))),
                }))
              : [];
          void b.coordinator
            .syncGroup({ groupId: GROUP, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: instance, protocolType: null, protocolName: null, assignments })
            .then((r) => {
              c!.busy = false;
              if (c!.joined !== joined) return;
              c!.joined = null;
              if (r.error === 'NONE') {
                const partitions = JSON.parse(r.assignment.toString() || '[]') as number[];
                own(idx, joined.generationId, partitions);
                c!.owned = partitions;
              } else if (r.error === 'UNKNOWN_MEMBER_ID' || r.error === 'FENCED_INSTANCE_ID') forget(c!);
              else c!.needsRejoin = true;
            });
          break;
        }
        case 'heartbeat': {
          if (c!.memberId === '' || c!.generationId < 0) break;
          const error = b.coordinator.heartbeat({ groupId: GROUP, generationId: c!.generationId, memberId: c!.memberId, groupInstanceId: instance });
          if (error === 'REBALANCE_IN_PROGRESS' || error === 'ILLEGAL_GENERATION') Object.assign(c!, { owned: [], needsRejoin: true });
          if (error === 'NOT_COORDINATOR' || error === 'COORDINATOR_NOT_AVAILABLE') c!.needsRejoin = true;
          if (error === 'UNKNOWN_MEMBER_ID' || error === 'FENCED_INSTANCE_ID') forget(c!);
          break;
        }
        case 'leave': {
          if (c!.memberId === '') break;
          b.coordinator.leaveGroup({ groupId: GROUP, members: [{ memberId: c!.memberId, groupInstanceId: instance }] });
          forget(c!);
          break;
        }
        case 'restartClient':
          // The process dies and comes back: a dynamic member leaves a zombie behind; a static one takes its place again.
          clients[idx] = freshClient();
          break;
        case 'commit': {
          const generationId = c!.memberId === '' ? -1 : c!.generationId;
          const memberId = c!.memberId === '' ? '' : c!.memberId;
          const groupWasEmpty = b.coordinator.describeGroup(GROUP).members.length === 0;
          const seenGeneration = maxGeneration;
          const offset = BigInt(op.offset);
          void b.coordinator
            .commitOffsets({ groupId: GROUP, generationId, memberId, groupInstanceId: null, topics: [{ name: TOPIC, partitions: [{ partitionIndex: op.partition, offset, metadata: null }] }] })
            .then((r) => {
              if (r.topics[0]!.partitions[0]!.error !== 'NONE') return;
              committed.set(op.partition, offset);
              if (generationId < 0 && !groupWasEmpty) failures.push(`standalone commit accepted while the group had members`);
              if (generationId >= 0 && generationId < seenGeneration) failures.push(`commit of generation ${generationId} accepted after generation ${seenGeneration} was handed out`);
            });
          break;
        }
        case 'time':
          b.scheduler.advance(op.ms);
          break;
        case 'crash': {
          await settle();
          await b.fs.crash('lose-unsynced');
          await b.coordinator.close().catch(() => {});
          await b.topics.close().catch(() => {});
          broker = await open();
          maxGeneration = 0;
          break;
        }
      }
      await settle();
      const fetched = broker.coordinator.fetchOffsets(GROUP, null).topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const));
      expect(new Map(fetched), `offsets after ${JSON.stringify(op)}`).toEqual(committed);
      expect(failures, `after ${JSON.stringify(op)}`).toEqual([]);
    }
  } finally {
    await broker.coordinator.close().catch(() => {});
    await broker.topics.close().catch(() => {});
    await cleanup();
  }
}

describe('GroupCoordinator properties', () => {
  it('never two members owning one partition in one generation; committed offsets only change through accepted commits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 160, size: 'max' }), fc.constantFrom(0, 3000), (ops, delay) => runScenario(ops, delay)),
      { numRuns: 60 },
    );
  }, 300_000);

  it('a scenario that reaches a stable group of all four clients, with commits, crashes and restarts', async () => {
    const ops: Op[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < CLIENTS; i++) ops.push({ kind: 'join', client: i });
      ops.push({ kind: 'time', ms: 4_000 });
      for (let i = 0; i < CLIENTS; i++) ops.push({ kind: 'join', client: i });
      ops.push({ kind: 'time', ms: 4_000 });
      for (let i = 0; i < CLIENTS; i++) ops.push({ kind: 'sync', client: i });
      for (let i = 0; i < CLIENTS; i++) ops.push({ kind: 'commit', client: i, partition: i, offset: 100 * round + i });
      ops.push({ kind: 'crash' }, { kind: 'heartbeat', client: 0 }, { kind: 'restartClient', client: STATIC_CLIENT }, { kind: 'time', ms: 11_000 });
    }
    await runScenario(ops, 3000);
  });
});
