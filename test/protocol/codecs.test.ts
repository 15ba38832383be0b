import { describe, expect, it } from 'vitest';
import {
  ApiVersionsRequestSchema,
  CreatePartitionsRequestSchema,
  decodeMessage,
  encodeMessage,
  FetchRequestSchema,
  JoinGroupRequestSchema,
  MetadataRequestSchema,
  MetadataResponseSchema,
  ProduceRequestSchema,
  ProtocolError,
  type MessageSchema,
} from '../../src/protocol/index.js';

function decodeError(schema: MessageSchema, version: number, hex: string): ProtocolError {
  try {
    decodeMessage(schema, version, Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

function encodeError(schema: MessageSchema, version: number, value: unknown): ProtocolError {
  try {
    encodeMessage(schema, version, value);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

describe('decoding hostile lengths', () => {
  it('rejects a huge array count before allocating, quickly', () => {
    const start = performance.now();
    const e = decodeError(MetadataRequestSchema, 1, '7fffffff');
    expect(e.code).toBe('INVALID_REQUEST');
    expect(e.message).toMatch(/MetadataRequest v1: topics: array count 2147483647 needs at least/);
    expect(e.offset).toBe(0);
    // Compact array: uvarint 0xffffffff = count 2^32-2.
    expect(decodeError(MetadataRequestSchema, 9, 'ffffffff0f').message).toMatch(/array count 4294967294/);
    // Element size bounds the count: 3 int32 partition ids need 12 bytes, not 3.
    expect(decodeError(CreatePartitionsRequestSchema, 0, '00000001 0001 74 00000001 00000001 00000003 000000010000'.replace(/ /g, '')).message)
      .toMatch(/assignments\[\]\.brokerIds: array count 3 needs at least 12 bytes/);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it('rejects a string or bytes length larger than what is left', () => {
    expect(decodeError(MetadataRequestSchema, 0, '00000001 7fff 61'.replace(/ /g, '')).message).toMatch(
      /topics\[\]\.name: string length 32767 exceeds the 1 byte\(s\) left/,
    );
    expect(decodeError(ApiVersionsRequestSchema, 3, 'ffffffff0f').message).toMatch(/string length 4294967294/);
    const produce = '0001 00000000 00000001 0001 74 00000001 00000000 7fffffff'.replace(/ /g, '');
    expect(decodeError(ProduceRequestSchema, 2, produce).message).toMatch(/records length 2147483647 exceeds/);
    expect(decodeError(JoinGroupRequestSchema, 0, '0001 67 00000000 0000 0008 636f6e73756d6572 00000001 0001 72 7ffffff0'.replace(/ /g, '')).message)
      .toMatch(/protocols\[\]\.metadata: bytes length/);
  });

  it('rejects nulls where the version does not allow them, and lengths below -1', () => {
    expect(decodeError(MetadataRequestSchema, 0, 'ffffffff').message).toMatch(/null array in a version where it is not nullable/);
    expect(decodeError(MetadataRequestSchema, 1, 'fffffffe').message).toMatch(/negative array length -2/);
    expect(decodeError(MetadataRequestSchema, 1, '00000001 ffff'.replace(/ /g, '')).message).toMatch(/null string/);
    expect(decodeError(MetadataRequestSchema, 9, '02 00 00').message).toMatch(/null string/);
  });

  it('rejects huge tagged-field counts and sizes', () => {
    expect(decodeError(ApiVersionsRequestSchema, 3, '0101 ffffffff0f').message).toMatch(/tagged fields cannot fit/);
    expect(decodeError(ApiVersionsRequestSchema, 3, '0101 01 00 7f 00'.replace(/ /g, '')).message).toMatch(/tagged field 0 size 127 exceeds/);
  });

  it('rejects a malformed varint', () => {
    expect(decodeError(ApiVersionsRequestSchema, 3, 'ffffffffffff').message).toMatch(/longer than 5 bytes/);
  });
});

describe('encoding invalid values', () => {
  const fetch = (partition: Record<string, unknown>) => ({
    maxWaitMs: 1,
    minBytes: 1,
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1, ...partition }] }],
  });

  it('throws INVALID_REQUEST naming the field path', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ partition: 1.5 }, /FetchRequest v4 topics\[\]\.partitions\[\]\.partition: expected an int32, got number 1\.5/],
      [{ partition: 2 ** 31 }, /expected an int32/],
      [{ partition: '1' }, /expected an int32, got "1"/],
      [{ fetchOffset: 1 }, /fetchOffset: expected an int64 bigint, got number 1/],
      [{ fetchOffset: 2n ** 63n }, /expected an int64 bigint/],
      [{ partitionMaxBytes: null }, /expected an int32, got null/],
    ];
    for (const [partition, message] of cases) {
      const e = encodeError(FetchRequestSchema, 4, fetch(partition));
      expect(e.code).toBe('INVALID_REQUEST');
      expect(e.message).toMatch(message);
    }
  });

  it('checks strings, nulls, uuids, arrays and objects', () => {
    expect(encodeError(MetadataRequestSchema, 0, { topics: null }).message).toMatch(/topics: expected an array \(not nullable/);
    expect(encodeError(MetadataRequestSchema, 1, { topics: [{ name: null }] }).message).toMatch(/name: expected a string \(not nullable/);
    expect(encodeError(MetadataRequestSchema, 1, { topics: [{ name: 'x'.repeat(32768) }] }).message).toMatch(/at most 32767/);
    expect(encodeError(MetadataRequestSchema, 10, { topics: [{ topicId: 'xyz', name: 'a' }] }).message).toMatch(/UUID as 32 hex/);
    expect(encodeError(MetadataRequestSchema, 1, { topics: 'a' }).message).toMatch(/expected an array or null/);
    expect(encodeError(MetadataRequestSchema, 1, { topics: [1] }).message).toMatch(/expected an object, got number 1/);
    expect(encodeError(MetadataRequestSchema, 1, null).message).toMatch(/MetadataRequest v1: expected an object/);
    expect(encodeError(MetadataResponseSchema, 4, { brokers: [{ nodeId: 1, host: 'h', port: true }] }).message).toMatch(/port: expected an int32/);
  });

  it('writes defaults for missing fields and checks the version', () => {
    const bytes = encodeMessage(FetchRequestSchema, 4, { maxWaitMs: 1, minBytes: 1, topics: [] });
    expect(decodeMessage(FetchRequestSchema, 4, bytes)).toMatchObject({ replicaId: -1, maxBytes: 0x7fffffff, isolationLevel: 0 });
    expect(() => encodeMessage(FetchRequestSchema, 18, { maxWaitMs: 1, minBytes: 1, topics: [] })).toThrow(/no version 18/);
    expect(() => decodeMessage(FetchRequestSchema, -1, Buffer.alloc(0))).toThrow(ProtocolError);
  });
});
