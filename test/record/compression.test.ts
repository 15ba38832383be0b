import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import {
  ATTRIBUTES,
  buildBatch,
  checkBatchIntegrity,
  codecFor,
  COMPRESSION_CODECS,
  compressionOf,
  CRC,
  crc32c,
  decodeRecords,
  RECORDS,
  registerCodec,
  type CompressionCodec,
  type RecordInput,
} from '../../src/record/index.js';

/**
 * The record layer's codecs: every Kafka codec round-trips, reads what the reference
 * implementations write, and writes the framing Kafka's clients expect. That librdkafka reads
 * what we write (and we what it writes) is checked against kcat in test/compat/compression.test.ts.
 */

const COMPRESSED: CompressionCodec[] = ['gzip', 'snappy', 'lz4', 'zstd'];

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isTidelogError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

/** Arbitrary bytes, and long repetitive ones that span several blocks of every framing. */
const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 8000 }), fc.uint8Array({ maxLength: 64 }))
    .map(([unit, times, tail]) => Buffer.concat([...Array.from({ length: times }, () => Buffer.from(unit)), Buffer.from(tail)])),
);

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

describe('every codec', () => {
  for (const name of COMPRESSION_CODECS) {
    it(`${name}: decompress(compress(x)) is x`, () => {
      const codec = codecFor(name);
      fc.assert(
        fc.property(payloadArb, (raw) => {
          expect(codec.decompress(codec.compress(raw)).equals(raw)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const name of COMPRESSED) {
    it(`${name}: shrinks repetitive input, so it really compresses`, () => {
      const raw = Buffer.from('{"event":"click","user":"u-1"}\n'.repeat(1000));
      expect(codecFor(name).compress(raw).length).toBeLessThan(raw.length / 4);
    });

    it(`${name}: a batch built with it decodes to the same records`, () => {
      fc.assert(
        fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), (records) => {
          const batch = buildBatch(records, { compression: name });
          expect(compressionOf(batch.readInt16BE(ATTRIBUTES))).toBe(name);
          expect(checkBatchIntegrity(batch, 0)).toBeNull();
          const decoded = decodeRecords(batch);
          expect(decoded.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }))).toEqual(
            records.map((r, i) => ({ offset: BigInt(i), timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers ?? [] })),
          );
        }),
        { numRuns: 40 },
      );
    });

    it(`${name}: garbage and cut-off input are CORRUPT_MESSAGE, not a crash`, () => {
      const codec = codecFor(name);
      const good = codec.compress(Buffer.from('some records, some records, some records'));
      expectCode(() => codec.decompress(Buffer.from('not compressed at all, not at all')), 'CORRUPT_MESSAGE');
      expectCode(() => codec.decompress(good.subarray(0, good.length - 5)), 'CORRUPT_MESSAGE');
    });

    it(`${name}: decodeRecords of a CRC-valid batch with a damaged payload is CORRUPT_MESSAGE`, () => {
      const batch = buildBatch([{ value: Buffer.from('x'.repeat(200)) }, { value: Buffer.from('y'.repeat(200)) }], { compression: name });
      const damaged = Buffer.concat([batch.subarray(0, RECORDS + 2), Buffer.from('garbage!'), batch.subarray(RECORDS + 10)]);
      damaged.writeUInt32BE(crc32c(damaged.subarray(ATTRIBUTES)), CRC);
      expectCode(() => decodeRecords(damaged), 'CORRUPT_MESSAGE');
    });
  }
});

// Reference vectors: the same 130 bytes, compressed by the reference implementations.
const INPUT = Buffer.concat([Buffer.from('Tidelog: a Kafka-compatible commit log. '.repeat(3)), Buffer.from('0123456789')]);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('lz4 (the LZ4 frame format, KIP-57)', () => {
  // The lz4 command-line tool 1.9.4 (liblz4, as librdkafka uses).
  const vectors: Record<string, Buffer> = {
    'with a content checksum (lz4 -c)': hex(`04224d186440a738000000ff19546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e2028003da0
      30313233343536373839000000000283cf08`),
    'with a content size and block checksums (lz4 --content-size -BX)': hex(`04224d187c4082000000000000002b38000000ff19546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f
      672e2028003da0303132333435363738394a19a2a8000000000283cf08`),
    'with no checksum (lz4 --no-frame-crc)': hex(`04224d1860408238000000ff19546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e2028003da0
      3031323334353637383900000000`),
  };
  for (const [what, frame] of Object.entries(vectors)) {
    it(`reads liblz4's frame ${what}`, () => {
      expect(codecFor('lz4').decompress(frame).toString()).toBe(INPUT.toString());
    });
  }

  it('writes the frame Kafka reads: version 01, independent blocks, a 64 KB-4 MB block size, a correct descriptor checksum', () => {
    // liblz4's empty frame without checksums: FLG 0x60, BD 0x40, HC 0x82, end mark.
    expect(codecFor('lz4').compress(Buffer.alloc(0)).toString('hex')).toBe('04224d1860408200000000');
    fc.assert(
      fc.property(payloadArb, (raw) => {
        const frame = codecFor('lz4').compress(raw);
        expect(frame.readUInt32LE(0)).toBe(0x184d2204);
        const flg = frame[4]!;
        const bd = frame[5]!;
        expect(flg >> 6, 'version').toBe(1);
        expect((flg >> 5) & 1, 'block independence').toBe(1);
        expect(flg & 0x03, 'reserved FLG bits').toBe(0);
        expect(bd & 0x8f, 'reserved BD bits').toBe(0);
        expect((bd >> 4) & 7).toBeGreaterThanOrEqual(4);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a frame whose descriptor checksum is wrong', () => {
    const frame = Buffer.from(vectors['with no checksum (lz4 --no-frame-crc)']!);
    frame[6] = frame[6]! ^ 0x01;
    expectCode(() => codecFor('lz4').decompress(frame), 'CORRUPT_MESSAGE');
  });
});

describe('zstd', () => {
  // The zstd command-line tool 1.5.4.
  const frame = hex(`28b52ffd2482d501002403546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e20303132333435
    363738390100e885aa321edaeca8`);
  const vectors: Record<string, Buffer> = {
    'with a content size and checksum (zstd file)': frame,
    'without a content size, as a stream writes it (zstd < stdin)': hex(`28b52ffd0058d501002403546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e2030313233
      3435363738390100e885aa32`),
  };
  for (const [what, bytes] of Object.entries(vectors)) {
    it(`reads libzstd's frame ${what}`, () => {
      expect(codecFor('zstd').decompress(bytes).toString()).toBe(INPUT.toString());
    });
  }

  it('reads two frames back to back as their concatenation', () => {
    const second = hex('28b52ffd04586100007365636f6e64206672616d65176407b6'); // "second frame"
    expect(codecFor('zstd').decompress(Buffer.concat([frame, second])).toString()).toBe(`${INPUT.toString()}second frame`);
  });

  it('writes standard zstd frames', () => {
    expect(codecFor('zstd').compress(INPUT).readUInt32LE(0)).toBe(0xfd2fb528);
  });
});

describe('snappy (xerial framing, raw accepted)', () => {
  const XERIAL_HEADER = '82534e41505059000000000100000001';
  // kafka-python's snappy_encode over python-snappy (libsnappy): xerial framing as Java writes it.
  const xerialOneBlock = hex(`${XERIAL_HEADER}0000003d8201a0546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e
    2054fe28003a28002430313233343536373839`);
  const xerialFiveBlocks = hex(`${XERIAL_HEADER}00000022207c546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d00000022207c6974
    206c6f672e20546964656c6f673a2061204b61666b612d636f6d7061746900000022207c626c6520636f6d6d6974206c6f672e20546964656c6f673a
    2061204b61666b6100000022207c2d636f6d70617469626c6520636f6d6d6974206c6f672e2030313233343536370000000402043839`);
  // libsnappy's raw format, the one librdkafka writes.
  const raw = hex('8201a0546964656c6f673a2061204b61666b612d636f6d70617469626c6520636f6d6d6974206c6f672e2054fe28003a28002430313233343536373839');

  it('reads xerial framing with one block and with several', () => {
    expect(codecFor('snappy').decompress(xerialOneBlock).toString()).toBe(INPUT.toString());
    expect(codecFor('snappy').decompress(xerialFiveBlocks).toString()).toBe(INPUT.toString());
  });

  it('reads raw snappy, as librdkafka writes it', () => {
    expect(codecFor('snappy').decompress(raw).toString()).toBe(INPUT.toString());
  });

  it('writes xerial framing: the header, then blocks of at most 32 KiB of input, each raw snappy', () => {
    fc.assert(
      fc.property(payloadArb, (input) => {
        const framed = codecFor('snappy').compress(input);
        expect(framed.subarray(0, 16).toString('hex')).toBe(XERIAL_HEADER);
        const blocks: Buffer[] = [];
        for (let pos = 16; pos < framed.length; ) {
          const length = framed.readInt32BE(pos);
          // A lone block is raw snappy, which the codec reads as such.
          blocks.push(codecFor('snappy').decompress(framed.subarray(pos + 4, pos + 4 + length)));
          pos += 4 + length;
        }
        expect(blocks.length).toBe(Math.ceil(input.length / 32_768));
        for (const block of blocks) expect(block.length).toBeLessThanOrEqual(32_768);
        expect(Buffer.concat(blocks).equals(input)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a block that runs past the end and a stream that needs a newer reader', () => {
    const cut = Buffer.from(xerialOneBlock);
    cut.writeInt32BE(0x3d + 1, 16);
    expectCode(() => codecFor('snappy').decompress(cut), 'CORRUPT_MESSAGE');
    const newer = Buffer.from(xerialOneBlock);
    newer.writeInt32BE(2, 12);
    expectCode(() => codecFor('snappy').decompress(newer), 'CORRUPT_MESSAGE');
  });
});

describe('registerCodec', () => {
  it('replaces a codec, and what it throws while decompressing reaches callers as CORRUPT_MESSAGE', () => {
    const original = codecFor('gzip');
    try {
      registerCodec('gzip', {
        compress: (raw) => Buffer.from(raw).reverse(),
        decompress: (bytes) => {
          if (bytes.length === 0) throw new Error('empty');
          return Buffer.from(bytes).reverse();
        },
      });
      const batch = buildBatch([{ value: Buffer.from('abc') }], { compression: 'gzip' });
      expect(decodeRecords(batch)[0]!.value!.toString()).toBe('abc');
      expectCode(() => codecFor('gzip').decompress(Buffer.alloc(0)), 'CORRUPT_MESSAGE');
    } finally {
      registerCodec('gzip', original);
    }
    expect(codecFor('gzip').decompress(codecFor('gzip').compress(Buffer.from('back'))).toString()).toBe('back');
  });
});
