import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeAssignor, roundRobinAssignor, type Assignor, type AssignorMember, type TopicPartition } from '../../src/client/index.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const asObject = (result: Map<string, TopicPartition[]>) => Object.fromEntries(result);

describe('fixed vectors from Kafka`s documentation and tests', () => {
  // Both from the javadoc of Kafka's RangeAssignor and RoundRobinAssignor: C0 and C1 subscribe to t0 and t1, each with 3 partitions.
  const twoByTwo: AssignorMember[] = [
    { memberId: 'C0', topics: ['t0', 't1'] },
    { memberId: 'C1', topics: ['t0', 't1'] },
  ];
  const threeEach = new Map([
    ['t0', 3],
    ['t1', 3],
  ]);

  it('range: contiguous ranges per topic, the first members get the extra partition', () => {
    expect(asObject(rangeAssignor.assign(twoByTwo, threeEach))).toEqual({
      C0: [tp('t0', 0), tp('t0', 1), tp('t1', 0), tp('t1', 1)],
      C1: [tp('t0', 2), tp('t1', 2)],
    });
  });

  it('range: members with different subscriptions (RangeAssignorTest.testMultipleConsumersMixedTopics)', () => {
    const members = [
      { memberId: 'consumer1', topics: ['topic1'] },
      { memberId: 'consumer2', topics: ['topic1', 'topic2'] },
      { memberId: 'consumer3', topics: ['topic1'] },
    ];
    const counts = new Map([
      ['topic1', 3],
      ['topic2', 2],
    ]);
    expect(asObject(rangeAssignor.assign(members, counts))).toEqual({
      consumer1: [tp('topic1', 0)],
      consumer2: [tp('topic1', 1), tp('topic2', 0), tp('topic2', 1)],
      consumer3: [tp('topic1', 2)],
    });
  });

  it('roundrobin: all partitions sorted, dealt in turn', () => {
    expect(asObject(roundRobinAssignor.assign(twoByTwo, threeEach))).toEqual({
      C0: [tp('t0', 0), tp('t0', 2), tp('t1', 1)],
      C1: [tp('t0', 1), tp('t1', 0), tp('t1', 2)],
    });
  });

  it('roundrobin: members not subscribed to a topic are passed over (the javadoc`s second example)', () => {
    const members = [
      { memberId: 'C0', topics: ['t0'] },
      { memberId: 'C1', topics: ['t0', 't1'] },
      { memberId: 'C2', topics: ['t0', 't1', 't2'] },
    ];
    const counts = new Map([
      ['t0', 1],
      ['t1', 2],
      ['t2', 3],
    ]);
    expect(asObject(roundRobinAssignor.assign(members, counts))).toEqual({
      C0: [tp('t0', 0)],
      C1: [tp('t1', 0)],
      C2: [tp('t1', 1), tp('t2', 0), tp('t2', 1), tp('t2', 2)],
    });
  });

  it('both: members sort by UTF-16 code units (Java`s String order), and a topic unknown to the metadata is not assigned', () => {
    const members = [
      { memberId: 'b', topics: ['t', 'gone'] },
      { memberId: 'B', topics: ['t', 'gone'] },
      { memberId: 'a', topics: ['t', 'gone'] },
    ];
    const counts = new Map([['t', 4]]);
    // 'B' (0x42) < 'a' (0x61) < 'b' (0x62), whatever the locale says.
    expect(asObject(rangeAssignor.assign(members, counts))).toEqual({ B: [tp('t', 0), tp('t', 1)], a: [tp('t', 2)], b: [tp('t', 3)] });
    expect(asObject(roundRobinAssignor.assign(members, counts))).toEqual({ B: [tp('t', 0), tp('t', 3)], a: [tp('t', 1)], b: [tp('t', 2)] });
  });

  it('both: every member is in the result, with nothing when there is nothing to give', () => {
    const members = [
      { memberId: 'm1', topics: ['t'] },
      { memberId: 'm2', topics: ['t'] },
      { memberId: 'm3', topics: ['t'] },
    ];
    for (const assignor of [rangeAssignor, roundRobinAssignor]) {
      expect(asObject(assignor.assign(members, new Map([['t', 1]])))).toEqual({ m1: [tp('t', 0)], m2: [], m3: [] });
      expect(asObject(assignor.assign(members, new Map()))).toEqual({ m1: [], m2: [], m3: [] });
    }
    expect(rangeAssignor.assign([], new Map([['t', 3]])).size).toBe(0);
    expect(roundRobinAssignor.assign([], new Map([['t', 3]])).size).toBe(0);
  });
});

// ---- Properties ---------------------------------------------------------------------------------

const TOPICS = ['alpha', 'beta', 'gamma', 'delta', 'Zeta'];

/** 1-8 members with distinct ids, each subscribed to a non-empty subset of TOPICS; counts 0-16 per topic, some topics unknown. */
const groupArb = fc.record({
  members: fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 })
    .chain((ids) => fc.tuple(...ids.map((memberId) => fc.subarray(TOPICS, { minLength: 1 }).map((topics): AssignorMember => ({ memberId, topics }))))),
  counts: fc.dictionary(fc.constantFrom(...TOPICS), fc.integer({ min: 0, max: 16 })).map((d) => new Map(Object.entries(d))),
});

function expectValid(assignor: Assignor, members: AssignorMember[], counts: Map<string, number>): Map<string, TopicPartition[]> {
  const result = assignor.assign(members, counts);
  expect([...result.keys()].sort()).toEqual(members.map((m) => m.memberId).sort());
  const owner = new Map<string, string>();
  for (const [memberId, partitions] of result) {
    const subscribed = new Set(members.find((m) => m.memberId === memberId)!.topics);
    for (const { topic, partition } of partitions) {
      expect(subscribed.has(topic), `${memberId} got ${topic} without subscribing`).toBe(true);
      expect(partition >= 0 && partition < (counts.get(topic) ?? 0), `${topic}-${partition} does not exist`).toBe(true);
      const key = `${topic}-${partition}`;
      expect(owner.get(key), `${key} assigned twice`).toBeUndefined();
      owner.set(key, memberId);
    }
  }
  const subscribedTopics = new Set(members.flatMap((m) => m.topics));
  for (const [topic, count] of counts) {
    if (!subscribedTopics.has(topic)) continue;
    for (let p = 0; p < count; p++) expect(owner.has(`${topic}-${p}`), `${topic}-${p} unassigned`).toBe(true);
  }
  return result;
}

describe('assignor properties', () => {
  for (const assignor of [rangeAssignor, roundRobinAssignor]) {
    it(`${assignor.name}: every partition of a subscribed topic goes to exactly one subscriber; deterministic whatever the member order`, () => {
      fc.assert(
        fc.property(groupArb, fc.infiniteStream(fc.nat()), ({ members, counts }, keys) => {
          const result = expectValid(assignor, members, counts);
          const shuffled = members.map((m) => ({ m, k: keys.next().value as number })).sort((a, b) => a.k - b.k).map(({ m }) => ({ ...m, topics: [...m.topics].reverse() }));
          expect(asObject(assignor.assign(shuffled, counts))).toEqual(asObject(result));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('range: within each topic, the subscribers` shares differ by at most one', () => {
    fc.assert(
      fc.property(groupArb, ({ members, counts }) => {
        const result = rangeAssignor.assign(members, counts);
        for (const topic of TOPICS) {
          const subscribers = members.filter((m) => m.topics.includes(topic));
          if (subscribers.length === 0) continue;
          const shares = subscribers.map((m) => result.get(m.memberId)!.filter((p) => p.topic === topic).length);
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('roundrobin: when every member subscribes to the same topics, shares differ by at most one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.subarray(TOPICS, { minLength: 1 }),
        groupArb.map((g) => g.counts),
        (ids, topics, counts) => {
          const members = ids.map((memberId) => ({ memberId, topics }));
          const result = expectValid(roundRobinAssignor, members, counts);
          const shares = [...result.values()].map((list) => list.length);
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
