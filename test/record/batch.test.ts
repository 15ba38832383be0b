import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  buildBatch,
  checkBatchIntegrity,
  crc32c,
  CRC,
  decodeRecords,
  LAST_OFFSET_DELTA,
  readBatchHeader,
  readZigzagVarint,
  readZigzagVarlong,
  validateClientBatch,
  writeZigzagVarint,
  writeZigzagVarlong,
  zigzagVarintSize,
  zigzagVarlongSize,
  type RecordInput,
} from '../../src/record/index.js';

const limits = { maxMessageBytes: 1_048_588 };

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: null }),
  headers: fc.array(
    fc.record({
      key: fc.string({ maxLength: 10 }),
      value: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), { nil: null }),
    }),
    { maxLength: 3 },
  ),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(isTidelogError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('CRC-32C', () => {
  it('gives the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('zigzag varints', () => {
  it('round-trip 32-bit values and report their size', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        const buf = Buffer.alloc(5);
        const end = writeZigzagVarint(buf, 0, n);
        expect(end).toBe(zigzagVarintSize(n));
        expect(readZigzagVarint(buf, 0)).toEqual({ value: n, next: end });
      }),
    );
  });

  it('round-trip 64-bit values and report their size', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const buf = Buffer.alloc(10);
        const end = writeZigzagVarlong(buf, 0, n);
        expect(end).toBe(zigzagVarlongSize(n));
        expect(readZigzagVarlong(buf, 0)).toEqual({ value: n, next: end });
      }),
    );
  });

  it('reject a varint that runs past the buffer', () => {
    expect(() => readZigzagVarint(Buffer.from([0x80, 0x80]), 0)).toThrow(RangeError);
  });
});

describe('record batches', () => {
  it('round-trip records through build, validate and decode', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.constantFrom('none' as const, 'gzip' as const), (records, compression) => {
        const batch = buildBatch(records, { compression });
        expect(validateClientBatch(batch, limits)).toEqual({ recordsCount: records.length, sizeInBytes: batch.length });
        expect(checkBatchIntegrity(batch, 0)).toBeNull();
        batch.writeBigInt64BE(1000n, BASE_OFFSET); // outside the CRC: still valid
        expect(checkBatchIntegrity(batch, 0)).toBeNull();
        const decoded = decodeRecords(batch);
        expect(decoded.map((r) => r.offset)).toEqual(records.map((_, i) => 1000n + BigInt(i)));
        decoded.forEach((r, i) => {
          const input = records[i]!;
          expect(r.timestamp).toBe(input.timestamp);
          expect(r.key).toEqual(input.key);
          expect(r.value).toEqual(input.value);
          expect(r.headers).toEqual(input.headers);
        });
        const header = readBatchHeader(batch);
        expect(Number(header.maxTimestamp)).toBe(Math.max(...records.map((r) => r.timestamp!)));
      }),
      { numRuns: 200 },
    );
  });

  it('reject every single flipped bit after the CRC-free header fields', () => {
    const batch = buildBatch([{ key: Buffer.from('k'), value: Buffer.from('hello world') }], { baseTimestamp: 1 });
    for (let byte = CRC; byte < batch.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(batch);
        copy[byte]! ^= 1 << bit;
        expect(() => validateClientBatch(copy, limits)).toThrow();
      }
    }
  });

  it('give each failure its Kafka error code', () => {
    const batch = buildBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y') }]);
    expectCode(() => validateClientBatch(batch.subarray(0, 30), limits), 'CORRUPT_MESSAGE');
    expectCode(() => validateClientBatch(batch.subarray(0, batch.length - 1), limits), 'CORRUPT_MESSAGE');
    expectCode(() => validateClientBatch(batch, { maxMessageBytes: batch.length - 1 }), 'MESSAGE_TOO_LARGE');

    const badCrc = Buffer.from(batch);
    badCrc.writeUInt32BE((badCrc.readUInt32BE(CRC) + 1) >>> 0, CRC);
    expectCode(() => validateClientBatch(badCrc, limits), 'CORRUPT_MESSAGE');

    const badDelta = Buffer.from(batch);
    badDelta.writeInt32BE(5, LAST_OFFSET_DELTA);
    badDelta.writeUInt32BE(crc32c(badDelta.subarray(21)), CRC);
    expectCode(() => validateClientBatch(badDelta, limits), 'INVALID_RECORD');

    for (const codecId of [5, 6, 7]) {
      const unknownCodec = Buffer.from(batch);
      unknownCodec.writeInt16BE((unknownCodec.readInt16BE(ATTRIBUTES) & ~0x07) | codecId, ATTRIBUTES);
      unknownCodec.writeUInt32BE(crc32c(unknownCodec.subarray(21)), CRC);
      expectCode(() => validateClientBatch(unknownCodec, limits), 'UNSUPPORTED_COMPRESSION_TYPE');
    }

    const oldMagic = Buffer.from(batch);
    oldMagic[16] = 1;
    expectCode(() => validateClientBatch(oldMagic, limits), 'UNSUPPORTED_FOR_MESSAGE_FORMAT');
  });
});
