import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOffsetsRecord, encodeOffsetsRecord, javaStringHashCode, offsetsPartitionFor, type OffsetsRecord } from '../../src/partition/index.js';

/** The __consumer_offsets record layouts (Kafka's OffsetCommitKey/Value, GroupMetadataKey/Value). */

const hex = (b: Buffer | null) => b?.toString('hex') ?? null;

describe('group records', () => {
  it('OffsetCommitKey v1 and OffsetCommitValue v3, byte for byte', () => {
    const { key, value } = encodeOffsetsRecord({
      kind: 'offset',
      groupId: 'g',
      topic: 'tp',
      partition: 7,
      value: { offset: 258n, leaderEpoch: -1, metadata: 'md', commitTimestamp: 1000 },
    });
    expect(hex(key)).toBe('0001' + '000167' + '00027470' + '00000007');
    expect(hex(value)).toBe('0003' + '0000000000000102' + 'ffffffff' + '00026d64' + '00000000000003e8');
    // A tombstone has no value.
    expect(encodeOffsetsRecord({ kind: 'offset', groupId: 'g', topic: 'tp', partition: 7, value: null }).value).toBeNull();
  });

  it('GroupMetadataKey v2 and GroupMetadataValue v3, byte for byte', () => {
    const { key, value } = encodeOffsetsRecord({
      kind: 'group',
      groupId: 'g',
      value: {
        protocolType: 'c',
        generationId: 2,
        protocolName: 'r',
        leaderId: null,
        currentStateTimestamp: 5,
        members: [{ memberId: 'm', groupInstanceId: null, clientId: 'i', clientHost: '/h', rebalanceTimeoutMs: 3, sessionTimeoutMs: 4, subscription: Buffer.from([1]), assignment: Buffer.alloc(0) }],
      },
    });
    expect(hex(key)).toBe('0002' + '000167');
    expect(hex(value)).toBe(
      '0003' + '000163' + '00000002' + '000172' + 'ffff' + '0000000000000005' + '00000001' + '00016d' + 'ffff' + '000169' + '00022f68' + '00000003' + '00000004' + '0000000101' + '00000000',
    );
  });

  it('reads the older value versions Kafka wrote (OffsetCommitValue v1 with expireTimestamp, GroupMetadataValue v0)', () => {
    const key = Buffer.from('0000' + '000167' + '000174' + '00000001', 'hex'); // OffsetCommitKey v0
    const v1 = Buffer.from('0001' + '000000000000000a' + '0000' + '0000000000000064' + '00000000000000c8', 'hex');
    expect(decodeOffsetsRecord(key, v1)).toEqual({ kind: 'offset', groupId: 'g', topic: 't', partition: 1, value: { offset: 10n, leaderEpoch: -1, metadata: '', commitTimestamp: 100 } });
    const groupKey = Buffer.from('0002000167', 'hex');
    const v0 = Buffer.from('0000' + '000163' + '00000001' + 'ffff' + 'ffff' + '00000001' + '00016d' + '000169' + '000168' + '00000006' + '00000000' + '00000000', 'hex');
    expect(decodeOffsetsRecord(groupKey, v0)).toEqual({
      kind: 'group',
      groupId: 'g',
      value: {
        protocolType: 'c',
        generationId: 1,
        protocolName: null,
        leaderId: null,
        currentStateTimestamp: -1,
        members: [{ memberId: 'm', groupInstanceId: null, clientId: 'i', clientHost: 'h', rebalanceTimeoutMs: 6, sessionTimeoutMs: 6, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) }],
      },
    });
    // Keys of other record types (transaction log, KIP-848 groups) are not ours; damaged values throw.
    expect(decodeOffsetsRecord(Buffer.from('0003000167', 'hex'), null)).toBeNull();
    expect(() => decodeOffsetsRecord(key, Buffer.from('0004', 'hex'))).toThrow(RangeError);
    expect(() => decodeOffsetsRecord(key, Buffer.from('0003000000', 'hex'))).toThrow(RangeError);
  });

  it('every record survives encoding and decoding', () => {
    const str = fc.string({ maxLength: 20 });
    const bytes = fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a));
    const record: fc.Arbitrary<OffsetsRecord> = fc.oneof(
      fc.record({
        kind: fc.constant('offset' as const),
        groupId: str,
        topic: str,
        partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        value: fc.option(fc.record({ offset: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }), leaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }), metadata: str, commitTimestamp: fc.integer({ min: 0, max: 2 ** 48 }) })),
      }),
      fc.record({
        kind: fc.constant('group' as const),
        groupId: str,
        value: fc.option(
          fc.record({
            protocolType: str,
            generationId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            protocolName: fc.option(str),
            leaderId: fc.option(str),
            currentStateTimestamp: fc.integer({ min: -1, max: 2 ** 48 }),
            members: fc.array(
              fc.record({
                memberId: str,
                groupInstanceId: fc.option(str),
                clientId: str,
                clientHost: str,
                rebalanceTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
                sessionTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
                subscription: bytes,
                assignment: bytes,
              }),
              { maxLength: 3 },
            ),
          }),
        ),
      }),
    );
    fc.assert(
      fc.property(record, (r) => {
        const { key, value } = encodeOffsetsRecord(r);
        expect(decodeOffsetsRecord(key, value)).toEqual(r);
      }),
    );
  });

  it("partitions groups as Kafka does: Utils.abs(String.hashCode) % partitions", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
    expect(javaStringHashCode('ΣΩ')).toBe(0x3a3 * 31 + 0x3a9);
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 200 }), (g, n) => offsetsPartitionFor(g, n) >= 0 && offsetsPartitionFor(g, n) < n));
  });
});
