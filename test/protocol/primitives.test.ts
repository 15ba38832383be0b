import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inVersions, parseVersions, ProtocolError, Reader, Writer } from '../../src/protocol/index.js';
import { ZERO_COPY_THRESHOLD } from '../../src/protocol/writer.js';

function written(fn: (w: Writer) => void): string {
  const w = new Writer();
  fn(w);
  return w.finish().toString('hex');
}

describe('unsigned varints', () => {
  it('encode to known bytes', () => {
    expect(written((w) => w.uvarint(0))).toBe('00');
    expect(written((w) => w.uvarint(1))).toBe('01');
    expect(written((w) => w.uvarint(127))).toBe('7f');
    expect(written((w) => w.uvarint(128))).toBe('8001');
    expect(written((w) => w.uvarint(300))).toBe('ac02');
    expect(written((w) => w.uvarint(0xffffffff))).toBe('ffffffff0f');
  });

  it('round-trip every 32-bit unsigned value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const w = new Writer();
        w.uvarint(v);
        const r = new Reader(w.finish());
        expect(r.uvarint()).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('reject more than 5 bytes, more than 32 bits, or running off the end', () => {
    for (const bad of ['ffffffffff01', 'ffffffff10', '80', '']) {
      expect(() => new Reader(Buffer.from(bad, 'hex')).uvarint()).toThrow(ProtocolError);
    }
  });
});

describe('Reader', () => {
  it('checks every read against the end it was given', () => {
    const buf = Buffer.from('0102030405060708090a', 'hex');
    const r = new Reader(buf, 2, 5, 'Test v1');
    expect(r.int16()).toBe(0x0304);
    expect(() => r.int16()).toThrow(/Test v1: needs 2 more byte\(s\) but only 1 are left \(at byte 4\)/);
    expect(r.int8()).toBe(5);
    for (const read of [() => r.int8(), () => r.int32(), () => r.int64(), () => r.uuid(), () => r.float64(), () => r.bool()]) {
      expect(read).toThrow(ProtocolError);
    }
    expect(() => r.sub(1)).toThrow(ProtocolError);
  });
});

describe('int64', () => {
  it('round-trips the edges of the fast (±2^53) and slow paths', () => {
    const edges = [0n, -1n, 1n, 2n ** 32n, -(2n ** 32n), 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (const v of edges) {
      const w = new Writer();
      w.int64(v);
      const bytes = w.finish();
      const expected = Buffer.alloc(8);
      expected.writeBigInt64BE(v);
      expect(bytes.toString('hex')).toBe(expected.toString('hex'));
      expect(new Reader(bytes).int64()).toBe(v);
    }
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const w = new Writer();
        w.int64(v);
        expect(new Reader(w.finish()).int64()).toBe(v);
      }),
    );
  });
});

describe('Writer', () => {
  it('grows without losing bytes, and references large blobs', () => {
    const big = Buffer.alloc(ZERO_COPY_THRESHOLD, 5);
    const w = new Writer(16);
    w.int32(0);
    for (let i = 0; i < 100; i++) w.int32(i);
    w.raw(big);
    w.int16(7);
    w.patchInt32(0, w.length - 4);
    const chunks = w.finishChunks();
    expect(chunks).toContain(big);
    const out = Buffer.concat(chunks);
    expect(out.readInt32BE(0)).toBe(out.length - 4);
    for (let i = 0; i < 100; i++) expect(out.readInt32BE(4 + 4 * i)).toBe(i);
    expect(out.subarray(404, 404 + big.length).equals(big)).toBe(true);
    expect(out.readInt16BE(out.length - 2)).toBe(7);
  });
});

describe('version ranges', () => {
  it('parses N, N-M, N+ and none', () => {
    expect(parseVersions('3')).toEqual({ min: 3, max: 3 });
    expect(parseVersions('0-4')).toEqual({ min: 0, max: 4 });
    expect(parseVersions('12+')).toEqual({ min: 12, max: Infinity });
    expect(inVersions(parseVersions('none'), 0)).toBe(false);
    expect(inVersions(parseVersions(undefined), 0)).toBe(false);
    expect(() => parseVersions('1-')).toThrow();
  });
});
