import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/index.js';
import { resolveTopicConfig } from '../../src/config/index.js';
import { expectedStream, makeBatch } from '../helpers/batches.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * The files on disk are Kafka's: checked here by a minimal reader written from the format's
 * description, sharing no code with src/log or src/record (the input batches are built with
 * buildBatch, by way of the test helpers, and nothing else is borrowed).
 */

// ---- An independent CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---- A minimal RecordBatch v2 header reader.
interface Batch {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  magic: number;
  storedCrc: number;
  computedCrc: number;
  maxTimestamp: bigint;
  recordsCount: number;
  bytes: Buffer;
}

function readBatches(file: Buffer): Batch[] {
  const batches: Batch[] = [];
  let pos = 0;
  while (pos < file.length) {
    expect(file.length - pos, `a whole header at ${pos}`).toBeGreaterThanOrEqual(61);
    const batchLength = file.readInt32BE(pos + 8);
    const size = 12 + batchLength;
    expect(pos + size, `batch at ${pos} fits in the file`).toBeLessThanOrEqual(file.length);
    const bytes = file.subarray(pos, pos + size);
    batches.push({
      position: pos,
      size,
      baseOffset: bytes.readBigInt64BE(0),
      lastOffset: bytes.readBigInt64BE(0) + BigInt(bytes.readInt32BE(23)),
      magic: bytes.readInt8(16),
      storedCrc: bytes.readUInt32BE(17),
      computedCrc: crc32c(bytes.subarray(21)),
      maxTimestamp: bytes.readBigInt64BE(35),
      recordsCount: bytes.readInt32BE(57),
      bytes,
    });
    pos += size;
  }
  return batches;
}

const NAME = /^(\d{20})\.(log|index|timeindex)$/;

let tmp: { dir: string; cleanup: () => Promise<void> };
const n = 120;
let names: string[];
let endOffset: bigint;

beforeAll(async () => {
  tmp = await makeTempDir('tidelog-format-');
  const config = resolveTopicConfig({ 'segment.bytes': '4000', 'index.interval.bytes': '300' });
  const log = await PartitionLog.open({ dir: tmp.dir, config, scanPlacement: 'never' });
  for (let seq = 0; seq < n; seq++) await log.append(makeBatch(seq), { durable: seq % 17 === 0 });
  endOffset = log.logEndOffset;
  await log.close();
  names = (await readdir(tmp.dir)).sort();
});

afterAll(async () => {
  await tmp.cleanup();
});

function bases(): bigint[] {
  return names.filter((name) => name.endsWith('.log')).map((name) => BigInt(name.slice(0, 20)));
}

async function segmentFile(base: bigint, kind: string): Promise<Buffer> {
  return readFile(join(tmp.dir, `${base.toString().padStart(20, '0')}.${kind}`));
}

describe('the independent CRC-32C', () => {
  it('gives the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('the on-disk format', () => {
  it('names segment files by their 20-digit base offset, each .log with its .index and .timeindex', () => {
    const segments = names.filter((name) => NAME.test(name));
    const others = names.filter((name) => !NAME.test(name));
    expect(others.sort()).toEqual(['.clean-shutdown', 'recovery-point-offset-checkpoint']);
    expect(bases().length).toBeGreaterThanOrEqual(4);
    for (const base of bases()) {
      const stem = base.toString().padStart(20, '0');
      expect(stem).toHaveLength(20);
      expect(segments).toEqual(expect.arrayContaining([`${stem}.log`, `${stem}.index`, `${stem}.timeindex`]));
    }
    expect(segments).toHaveLength(bases().length * 3);
  });

  it('stores back-to-back v2 batches with correct CRC-32C and contiguous offsets starting at each file’s name', async () => {
    const expected = expectedStream(n);
    let next = 0n;
    let k = 0;
    for (const base of bases()) {
      const batches = readBatches(await segmentFile(base, 'log'));
      expect(batches.length).toBeGreaterThan(0);
      expect(batches[0]!.baseOffset, `first batch of ${base}`).toBe(base);
      for (const batch of batches) {
        expect(batch.magic).toBe(2);
        expect(batch.computedCrc, `CRC of the batch at ${batch.position} of ${base}`).toBe(batch.storedCrc);
        expect(batch.baseOffset).toBe(next);
        expect(batch.lastOffset - batch.baseOffset + 1n).toBe(BigInt(batch.recordsCount));
        expect(batch.bytes.readInt32BE(12), 'partition leader epoch').toBe(0);
        // The bytes are the producer's batch with BaseOffset and PartitionLeaderEpoch stamped.
        expect(batch.bytes.equals(expected[k]!.bytes)).toBe(true);
        next = batch.lastOffset + 1n;
        k++;
      }
    }
    expect(k).toBe(n);
    expect(next).toBe(endOffset);
    expect((await readFile(join(tmp.dir, 'recovery-point-offset-checkpoint'), 'utf8')).trim()).toBe(String(endOffset));
  });

  it('writes .index as 8-byte (relative offset, position) entries pointing at the batch ending at that offset', async () => {
    let total = 0;
    for (const base of bases()) {
      const batches = readBatches(await segmentFile(base, 'log'));
      const byPosition = new Map(batches.map((b) => [b.position, b]));
      const index = await segmentFile(base, 'index');
      expect(index.length % 8).toBe(0);
      let previous: { rel: number; pos: number } | null = null;
      for (let i = 0; i < index.length; i += 8) {
        const rel = index.readInt32BE(i);
        const pos = index.readInt32BE(i + 4);
        if (previous) {
          expect(rel).toBeGreaterThan(previous.rel);
          expect(pos).toBeGreaterThan(previous.pos);
        }
        const batch = byPosition.get(pos);
        expect(batch, `entry ${i / 8} of ${base} points at a batch start`).toBeDefined();
        const offset = base + BigInt(rel);
        expect(offset >= batch!.baseOffset && offset <= batch!.lastOffset).toBe(true);
        expect(offset).toBe(batch!.lastOffset); // Kafka indexes a batch by its last offset
        previous = { rel, pos };
        total++;
      }
    }
    expect(total).toBeGreaterThan(bases().length * 3);
  });

  it('writes .timeindex as 12-byte (timestamp, relative offset) entries, non-decreasing, ending at the segment’s largest timestamp', async () => {
    for (const base of bases()) {
      const batches = readBatches(await segmentFile(base, 'log'));
      const timeIndex = await segmentFile(base, 'timeindex');
      expect(timeIndex.length % 12).toBe(0);
      expect(timeIndex.length).toBeGreaterThan(0);
      let previous: { ts: bigint; rel: number } | null = null;
      for (let i = 0; i < timeIndex.length; i += 12) {
        const ts = timeIndex.readBigInt64BE(i);
        const rel = timeIndex.readInt32BE(i + 8);
        if (previous) {
          expect(ts >= previous.ts).toBe(true);
          expect(rel).toBeGreaterThanOrEqual(previous.rel);
        }
        // (t, r): t is the largest timestamp of the segment up to the batch ending at base + r.
        const upTo = batches.filter((b) => b.lastOffset <= base + BigInt(rel));
        expect(upTo.at(-1)!.lastOffset).toBe(base + BigInt(rel));
        expect(ts).toBe(upTo.reduce((max, b) => (b.maxTimestamp > max ? b.maxTimestamp : max), -1n));
        previous = { ts, rel };
      }
      const segmentMax = batches.reduce((max, b) => (b.maxTimestamp > max ? b.maxTimestamp : max), -1n);
      expect(previous!.ts).toBe(segmentMax);
    }
  });
});
