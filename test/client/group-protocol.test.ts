import fc from 'fast-check';
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartition } from '../../src/client/index.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/** Topic-partitions as the codec returns them: grouped by topic, both sorted, no duplicates. */
function normalised(partitions: TopicPartition[]): TopicPartition[] {
  const unique = new Map(partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p]));
  return [...unique.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

const partitionsArb = fc.array(fc.record({ topic: fc.string({ minLength: 1, maxLength: 8 }), partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }), { maxLength: 12 }).map(normalised);
const userDataArb = fc.option(fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)), { nil: null });

describe('ConsumerProtocolSubscription', () => {
  it('has the bytes Kafka gives it: int16 version, topics, nullable user data, then (v1+) owned partitions', () => {
    expect(encodeSubscription({ topics: ['t'] }, 0).toString('hex')).toBe('0000' + '00000001' + '000174' + 'ffffffff');
    expect(encodeSubscription({ topics: ['t'], ownedPartitions: [tp('t', 2)] }, 1).toString('hex')).toBe(
      '0001' + '00000001' + '000174' + 'ffffffff' + '00000001' + '000174' + '00000001' + '00000002',
    );
    expect(decodeSubscription(encodeSubscription({ topics: ['a', 'b'] })).version).toBe(1);
  });

  it('round-trips every version, keeping the fields each version has', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.string({ maxLength: 10 }), { maxLength: 6 }),
        userDataArb,
        partitionsArb,
        fc.integer({ min: -1, max: 1000 }),
        fc.option(fc.string({ maxLength: 8 }), { nil: null }),
        (version, topics, userData, ownedPartitions, generationId, rackId) => {
          const decoded = decodeSubscription(encodeSubscription({ topics, userData, ownedPartitions, generationId, rackId }, version));
          expect(decoded).toEqual({
            version,
            topics,
            userData,
            ownedPartitions: version >= 1 ? ownedPartitions : [],
            generationId: version >= 2 ? generationId : -1,
            rackId: version >= 3 ? rackId : null,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a version newer than it knows with the newest layout, keeping the version number', () => {
    const v3 = encodeSubscription({ topics: ['t'], rackId: 'r1', generationId: 7 }, 3);
    const v9 = Buffer.concat([Buffer.from([0, 9]), v3.subarray(2), Buffer.from('future field')]);
    expect(decodeSubscription(v9)).toMatchObject({ version: 9, topics: ['t'], rackId: 'r1', generationId: 7 });
  });

  it('reads what kafkajs writes, and kafkajs reads what we write', () => {
    const theirs = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders', 'payments'], userData: Buffer.from('ud') });
    expect(decodeSubscription(theirs)).toMatchObject({ version: 0, topics: ['orders', 'payments'], userData: Buffer.from('ud'), ownedPartitions: [] });
    // A kafkajs custom assigner may declare version 1 and still write only v0's fields.
    const declaredV1 = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['orders'], userData: Buffer.alloc(0) });
    expect(decodeSubscription(declaredV1)).toMatchObject({ version: 1, topics: ['orders'], ownedPartitions: [] });

    const ours = encodeSubscription({ topics: ['orders', 'payments'], ownedPartitions: [tp('orders', 1)] });
    expect(AssignerProtocol.MemberMetadata.decode(ours)).toMatchObject({ version: 1, topics: ['orders', 'payments'] });
  });

  it('rejects bytes that no version explains, with a TidelogError', () => {
    expect(() => decodeSubscription(Buffer.from([0, 0, 0, 0, 0, 5]))).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => decodeSubscription(Buffer.from([0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('ConsumerProtocolAssignment', () => {
  it('has the bytes Kafka gives it: int16 version, [topic, [partition]], nullable user data', () => {
    expect(encodeAssignment([tp('t', 1), tp('t', 0)], { version: 0 }).toString('hex')).toBe('0000' + '00000001' + '000174' + '00000002' + '00000000' + '00000001' + 'ffffffff');
  });

  it('round-trips every version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), partitionsArb, userDataArb, (version, partitions, userData) => {
        expect(decodeAssignment(encodeAssignment(partitions, { version, userData }))).toEqual({ version, partitions, userData });
      }),
      { numRuns: 200 },
    );
  });

  it('reads what kafkajs writes, and kafkajs reads what we write', () => {
    const theirs = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [1] }, userData: Buffer.alloc(0) });
    expect(decodeAssignment(theirs)).toEqual({ version: 0, partitions: [tp('orders', 0), tp('orders', 2), tp('payments', 1)], userData: Buffer.alloc(0) });
    const ours = encodeAssignment([tp('payments', 1), tp('orders', 2), tp('orders', 0)]);
    expect(AssignerProtocol.MemberAssignment.decode(ours)).toEqual({ version: 1, assignment: { orders: [0, 2], payments: [1] }, userData: null });
  });

  it('takes the empty bytes the broker gives a member the leader left out as no partitions', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ version: 0, partitions: [], userData: null });
  });
});
