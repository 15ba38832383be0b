import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitOffsets, fetchCommittedOffsets, TidelogError } from '../../src/client/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { disposeMembers, newMember, partitionsOf, settledOn, until, GROUP_BROKER_SETTINGS } from './group-helpers.js';

const TOPIC = 'ledger';
const ALL = partitionsOf(TOPIC, 6);
const fast = { topics: [TOPIC], sessionTimeoutMs: 5_000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 10_000 };

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker(GROUP_BROKER_SETTINGS);
  await createTopics(await broker.connect(), [{ name: TOPIC, partitions: 6 }]);
});
afterEach(async () => {
  await disposeMembers();
});
afterAll(async () => {
  await broker.stop();
});

describe('committed offsets', () => {
  it('a member commits; fetchCommittedOffsets returns the offsets and metadata, -1 where nothing is committed', async () => {
    const a = await newMember(broker.broker.port, { groupId: 'commits', ...fast });
    await a.membership.join();
    await a.membership.commit(ALL.slice(0, 5).map((p) => ({ ...p, offset: 100n + BigInt(p.partition), metadata: `m${p.partition}` })));

    const fetched = await fetchCommittedOffsets(a.cluster, 'commits', ALL);
    expect(fetched).toEqual([
      ...ALL.slice(0, 5).map((p) => ({ ...p, offset: 100n + BigInt(p.partition), metadata: `m${p.partition}` })),
      { topic: TOPIC, partition: 5, offset: -1n, metadata: expect.anything() },
    ]);
    // null: every partition the group has committed.
    expect((await fetchCommittedOffsets(a.cluster, 'commits', null)).map((o) => [o.partition, o.offset])).toEqual(ALL.slice(0, 5).map((p) => [p.partition, 100n + BigInt(p.partition)]));
    expect(await fetchCommittedOffsets(a.cluster, 'commits', [])).toEqual([]);
    // A group that never existed has nothing committed; that is not an error.
    expect(await fetchCommittedOffsets(a.cluster, 'never-seen', [ALL[0]!])).toEqual([{ topic: TOPIC, partition: 0, offset: -1n, metadata: expect.anything() }]);
  });

  it('a commit from a stale generation fails with ILLEGAL_GENERATION; the current one succeeds', async () => {
    const a = await newMember(broker.broker.port, { groupId: 'stale', ...fast });
    await a.membership.join();
    const stale = { generationId: a.membership.generationId, memberId: a.membership.memberId };
    a.poll();
    const b = await newMember(broker.broker.port, { groupId: 'stale', ...fast });
    b.poll();
    await until('a new generation with both members', () => settledOn([a.membership, b.membership], ALL));
    expect(a.membership.generationId).toBeGreaterThan(stale.generationId);

    const error = await commitOffsets(a.cluster, 'stale', [{ topic: TOPIC, partition: 0, offset: 1n }], stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidelogError);
    expect(error).toMatchObject({ code: 'ILLEGAL_GENERATION', retriable: false });
    await a.membership.commit(a.membership.assignment.map((p) => ({ ...p, offset: 7n })));
    const mine = await fetchCommittedOffsets(a.cluster, 'stale', a.membership.assignment);
    expect(mine.map((o) => o.offset)).toEqual(a.membership.assignment.map(() => 7n));
  });

  it('an admin commit (no member) is refused while the group has members and accepted once it is empty', async () => {
    const a = await newMember(broker.broker.port, { groupId: 'admin-commit', ...fast });
    await a.membership.join();
    await expect(commitOffsets(a.cluster, 'admin-commit', [{ topic: TOPIC, partition: 1, offset: 3n }])).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    await a.membership.leave();
    await expect(a.membership.commit([{ topic: TOPIC, partition: 1, offset: 3n }])).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    await commitOffsets(a.cluster, 'admin-commit', [{ topic: TOPIC, partition: 1, offset: 3n, metadata: null }]);
    expect(await fetchCommittedOffsets(a.cluster, 'admin-commit', [{ topic: TOPIC, partition: 1 }])).toEqual([{ topic: TOPIC, partition: 1, offset: 3n, metadata: '' }]);
  });

  it('per-partition errors reject with their Kafka code and name the partition', async () => {
    const a = await newMember(broker.broker.port, { groupId: 'bad-partition', ...fast });
    await expect(commitOffsets(a.cluster, 'bad-partition', [{ topic: TOPIC, partition: 0, offset: 1n }, { topic: TOPIC, partition: 99, offset: 1n }])).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC_OR_PARTITION',
      message: expect.stringContaining(`${TOPIC}-99`),
    });
    await expect(commitOffsets(a.cluster, 'bad-partition', [{ topic: TOPIC, partition: 0, offset: 1 as unknown as bigint }])).rejects.toThrow(TypeError);
  });
});
