import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Connection, Consumer, fetchCommittedOffsets, stringSerializer, type ConsumerOptions, type ConsumerRecord } from '../../src/client/index.js';
import { spawnLines, type LineChild } from '../compat/groups-tools.js';
import { createTopics, eventually, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { GROUP_BROKER_SETTINGS } from './group-helpers.js';
import { produceBatch, textRecords } from './consumer-helpers.js';

let broker: TestBroker;
let writer: Connection;
let admin: Cluster;
let port: number;
beforeAll(async () => {
  broker = await startTestBroker(GROUP_BROKER_SETTINGS);
  port = broker.broker.port;
  await createTopics(await broker.connect(), [
    { name: 'resume', partitions: 1 },
    { name: 'manual', partitions: 1 },
    { name: 'two', partitions: 2 },
    { name: 'leave', partitions: 4 },
    { name: 'shared', partitions: 6 },
    { name: 'auto', partitions: 1 },
  ]);
  writer = await Connection.connect({ port, clientId: 'writer' });
  admin = await Cluster.connect({ port, clientId: 'admin' });
});
afterAll(async () => {
  await admin?.close();
  await writer?.close();
  await broker?.stop();
});

type Options = Partial<ConsumerOptions<Buffer, string>>;
function member(groupId: string, options: Options = {}): Promise<Consumer<Buffer, string>> {
  return Consumer.create<Buffer, string>({
    port,
    groupId,
    valueDeserializer: stringSerializer,
    autoOffsetReset: 'earliest',
    maxWaitMs: 100,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 200,
    rebalanceTimeoutMs: 10_000,
    ...options,
  });
}

async function committed(groupId: string, topic: string, partitions: number[]): Promise<bigint[]> {
  const offsets = await fetchCommittedOffsets(admin, groupId, partitions.map((partition) => ({ topic, partition })));
  return partitions.map((p) => offsets.find((o) => o.partition === p)?.offset ?? -1n);
}

/** Reads with `consumer` in the background into `into`, until stopped or closed. */
function reader(consumer: Consumer<Buffer, string>, into: ConsumerRecord<Buffer, string>[]): { stop(): Promise<void> } {
  const controller = new AbortController();
  const done = (async () => {
    try {
      for await (const batch of consumer.batches({ signal: controller.signal })) into.push(...batch.records);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}

const id = (r: { partition: number; offset: bigint }) => `${r.partition}:${r.offset}`;

describe('Consumer commits', () => {
  it('commits on close only what the application finished, and the next member resumes there', async () => {
    await produceBatch(writer, 'resume', 0, textRecords('r', 10));
    const first = await member('resume-group');
    await first.subscribe('resume');
    const seen: string[] = [];
    for await (const record of first.records({ signal: AbortSignal.timeout(20_000) })) {
      seen.push(record.value!);
      if (seen.length === 4) break; // record 3 was handed out but never finished
    }
    await first.close();
    expect(await committed('resume-group', 'resume', [0])).toEqual([3n]);
    const second = await member('resume-group');
    try {
      await second.subscribe('resume');
      const next = (await second.records({ signal: AbortSignal.timeout(20_000) }).next()).value;
      expect(next).toMatchObject({ offset: 3n, value: 'r-3' });
    } finally {
      await second.close();
    }
  });

  it('commits the current positions with commit(), and exact offsets when given', async () => {
    await produceBatch(writer, 'manual', 0, textRecords('m', 6));
    const c = await member('manual-group', { autoCommit: false });
    try {
      await c.subscribe(['manual']);
      let got = 0;
      while (got < 6) for (const batch of await c.poll({ maxWaitMs: 20_000 })) got += batch.records.length;
      expect(await committed('manual-group', 'manual', [0])).toEqual([-1n]);
      await c.commit();
      expect(await committed('manual-group', 'manual', [0])).toEqual([6n]);
      await c.commit([{ topic: 'manual', partition: 0, offset: 2n }]);
      expect(await committed('manual-group', 'manual', [0])).toEqual([2n]);
      await expect(c.commit([{ topic: 'manual', partition: 0, offset: 2 as never }])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    } finally {
      await c.close();
    }
    // autoCommit off: close commits nothing more.
    expect(await committed('manual-group', 'manual', [0])).toEqual([2n]);
  });

  it('does not commit a partition whose batch was fetched but not yet handed out', async () => {
    await produceBatch(writer, 'two', 0, textRecords('a', 3));
    await produceBatch(writer, 'two', 1, textRecords('b', 3));
    // Manual assignment with a group id: commits without membership.
    const c = await member('two-group', { autoCommit: false });
    try {
      await c.assign([{ topic: 'two', partition: 0 }, { topic: 'two', partition: 1 }]);
      const iterator = c.batches({ signal: AbortSignal.timeout(20_000) });
      const first = (await iterator.next()).value!;
      await c.commit();
      const offsets = await committed('two-group', 'two', [0, 1]);
      expect(offsets[first.partition]).toBe(3n);
      // The other partition's batch was fetched with the first one but not handed out yet: its position is still 0.
      expect(offsets[1 - first.partition]).toBe(0n);
      await iterator.return();
    } finally {
      await c.close();
    }
  });
});

describe('Consumer auto-commit', () => {
  it('commits what was consumed every autoCommitIntervalMs while the application keeps polling', async () => {
    await produceBatch(writer, 'auto', 0, textRecords('a', 5));
    const c = await member('auto-group', { autoCommitIntervalMs: 100 });
    try {
      await c.subscribe('auto');
      let got = 0;
      while (got < 5) for (const batch of await c.poll({ maxWaitMs: 20_000 })) got += batch.records.length;
      // Handed out, not yet finished: nothing to commit until the next poll.
      expect(await committed('auto-group', 'auto', [0])).toEqual([-1n]);
      let offsets: bigint[] = [];
      for (let i = 0; i < 100 && offsets[0] !== 5n; i++) {
        await c.poll({ maxWaitMs: 50 });
        offsets = await committed('auto-group', 'auto', [0]);
      }
      expect(offsets).toEqual([5n]);
    } finally {
      await c.close();
    }
  });

  it('says so when subscribing to a topic that does not exist with auto-creation off', async () => {
    const c = await member('nothing-group', { allowAutoTopicCreation: false });
    try {
      await expect(c.subscribe(['auto', 'no-such-topic'])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringContaining('no-such-topic') });
      await expect(c.subscribe([])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await c.subscribe('auto');
      await expect(c.assign([{ topic: 'auto', partition: 0 }])).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('either subscribe or assign') });
      const pending = c.poll({ maxWaitMs: 2_000 });
      await expect(c.poll()).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('still waiting') });
      await pending;
    } finally {
      await c.close();
    }
  });
});

describe('Consumer groups', () => {
  it('hands a closing member’s partitions to the others at once (close leaves the group)', async () => {
    const groupId = 'leave-group';
    const a = await member(groupId, { sessionTimeoutMs: 60_000 });
    const b = await member(groupId, { sessionTimeoutMs: 60_000 });
    const gotA: ConsumerRecord<Buffer, string>[] = [];
    const gotB: ConsumerRecord<Buffer, string>[] = [];
    await a.subscribe('leave');
    await b.subscribe('leave');
    const readA = reader(a, gotA);
    const readB = reader(b, gotB);
    try {
      await eventually(() => a.assignment().length === 2 && b.assignment().length === 2, 'a 2 + 2 split of the 4 partitions');
      await readB.stop();
      const closedAt = Date.now();
      await b.close();
      // With a 60 s session timeout, only a LeaveGroup explains a prompt takeover.
      await eventually(() => a.assignment().length === 4, 'a to take over all 4 partitions', 20_000);
      expect(Date.now() - closedAt).toBeLessThan(60_000);
      for (let p = 0; p < 4; p++) await produceBatch(writer, 'leave', p, textRecords(`p${p}`, 2));
      await eventually(() => gotA.length === 8, 'a to read what is produced to every partition');
      expect(new Set(gotA.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
    } finally {
      await readA.stop();
      await a.close();
      await b.close();
    }
  });

  it('shares a 6-partition topic among three members exactly once, and survives a member crash', async () => {
    const groupId = 'shared-group';
    const total = 600;
    // Batches of 10 records, so that a member reads a partition in many small steps.
    const produceRound = async (round: number) => {
      for (let p = 0; p < 6; p++) {
        const records = textRecords(`round${round}-p${p}`, total / 6);
        for (let i = 0; i < records.length; i += 10) await produceBatch(writer, 'shared', p, records.slice(i, i + 10));
      }
    };

    // Two members in this process, one in a child process that the test kills.
    const small = { maxPartitionBytes: 2048 };
    const a = await member(groupId, { ...small, sessionTimeoutMs: 2000, autoCommitIntervalMs: 100 });
    const b = await member(groupId, { ...small, sessionTimeoutMs: 2000, autoCommitIntervalMs: 100 });
    const gotA: ConsumerRecord<Buffer, string>[] = [];
    const gotB: ConsumerRecord<Buffer, string>[] = [];
    await a.subscribe('shared');
    await b.subscribe('shared');
    const readA = reader(a, gotA);
    const readB = reader(b, gotB);
    let child: LineChild | undefined;
    try {
      // The child takes 50 ms over each batch, so it is killed with work left to do.
      child = spawnLines(process.execPath, ['--import', 'tsx', new URL('./consumer-member-child.ts', import.meta.url).pathname, String(port), 'shared', groupId, '50']);
      const childLines = () => child!.lines.map((line) => JSON.parse(line) as { records?: [number, number, string][]; committed?: [number, number][]; assigned?: unknown[] });
      const childRecords = () => childLines().flatMap((l) => l.records ?? []).map(([partition, offset, value]) => ({ partition, offset: BigInt(offset), value }));
      const all = () => [...gotA, ...gotB, ...childRecords()];
      const unique = () => new Set(all().map(id)).size;

      // Round 1: every record once between the three.
      await eventually(() => a.assignment().length === 2 && b.assignment().length === 2, 'three members sharing the 6 partitions', 40_000);
      await produceRound(1);
      await eventually(() => unique() === total, `all ${total} records of round 1`, 40_000);
      expect(all().length, 'no record twice in round 1').toBe(total);
      expect(childRecords().length).toBeGreaterThan(0);

      // Round 2: the child reads some of its partitions' records and is killed mid-way.
      const childBefore = childRecords().length;
      await produceRound(2);
      await eventually(() => childRecords().length > childBefore, 'the child to read part of round 2', 20_000);
      await child.kill();
      const childAssigned = childLines().flatMap((l) => (l.assigned ?? []) as { partition: number }[]).map((tp) => tp.partition);
      const lastCommit = new Map<number, bigint>();
      for (const line of childLines()) for (const [partition, offset] of line.committed ?? []) lastCommit.set(partition, BigInt(offset));

      expect(unique(), 'the child left records of round 2 unread').toBeLessThan(2 * total);
      await eventually(() => a.assignment().length + b.assignment().length === 6, 'the two survivors to take over the child’s partitions', 40_000);
      await eventually(() => unique() === 2 * total, 'the two survivors to finish round 2', 40_000);
      // Nothing lost; a record seen twice is one the child read after its last acknowledged commit.
      const counts = new Map<string, number>();
      for (const r of all()) counts.set(id(r), (counts.get(id(r)) ?? 0) + 1);
      const duplicates = all().filter((r) => counts.get(id(r))! > 1);
      for (const r of duplicates) {
        expect(childAssigned, `duplicate ${id(r)} on a partition the child held`).toContain(r.partition);
        expect(r.offset, `duplicate ${id(r)} at or above the child's last commit`).toBeGreaterThanOrEqual(lastCommit.get(r.partition) ?? 0n);
      }
      // The survivors never both read one record.
      const survivors = new Map<string, number>();
      for (const r of [...gotA, ...gotB]) survivors.set(id(r), (survivors.get(id(r)) ?? 0) + 1);
      expect([...survivors.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await child?.kill();
      await readA.stop();
      await readB.stop();
      await a.close();
      await b.close();
    }
  });
});
