import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendSeq,
  config,
  expectedStream,
  expectServes,
  makeBatch,
  openLog,
  removeCleanMarker,
  restoreDir,
  segmentBases,
  segmentFile,
  snapshotDir,
  stamp,
  type DirSnapshot,
  type ExpectedBatch,
} from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * A flipped bit anywhere in a batch that recovery can check must stop the log right before
 * that batch. Recovery checks the length, the magic, the CRC-32C (which covers everything
 * from Attributes on) and that BaseOffset continues the previous batch (BaseOffset lies
 * outside the CRC). PartitionLeaderEpoch (bytes 12-15) is covered by nothing, in Kafka as
 * here, so a flip there is not detectable and is not tested.
 */

type Region = 'base-offset' | 'length' | 'magic' | 'crc' | 'header' | 'records';

/** Byte ranges of each region within a batch of `size` bytes. */
function regionRange(region: Region, size: number): [number, number] {
  switch (region) {
    case 'base-offset':
      return [0, 8];
    case 'length':
      return [8, 12];
    case 'magic':
      return [16, 17];
    case 'crc':
      return [17, 21];
    case 'header':
      return [21, 61];
    case 'records':
      return [61, size];
  }
}

const expectedReason: Record<Region, string[]> = {
  'base-offset': ['offset-gap'],
  length: ['bad-length', 'truncated', 'bad-crc'],
  magic: ['bad-magic'],
  crc: ['bad-crc'],
  header: ['bad-crc'],
  records: ['bad-crc'],
};

const overrides = { 'segment.bytes': '1500', 'index.interval.bytes': '200' };
const n = 40;

let root: { dir: string; cleanup: () => Promise<void> };
let snapshot: DirSnapshot;
let stream: ExpectedBatch[];
/** For each batch: its segment's index and its position in that segment's file. */
let placement: { segment: number; position: number }[];
let bases: bigint[];

beforeAll(async () => {
  root = await makeScratchDir('tidelog-flip-');
  const template = join(root.dir, 'template');
  const log = await openLog({ dir: template, config: config(overrides), scanPlacement: 'never' });
  await appendSeq(log, 0, n, false);
  await log.close();
  snapshot = await snapshotDir(template);
  stream = expectedStream(n);
  bases = await segmentBases(template);
  expect(bases.length).toBeGreaterThanOrEqual(3);
  placement = [];
  let segment = 0;
  let position = 0;
  for (const batch of stream) {
    if (segment + 1 < bases.length && batch.baseOffset >= bases[segment + 1]!) {
      segment++;
      position = 0;
    }
    placement.push({ segment, position });
    position += batch.bytes.length;
  }
});

afterAll(async () => {
  await root.cleanup();
});

let runId = 0;

/** Flips one bit of batch `target` on disk, reopens uncleanly, and checks what recovery kept. */
async function flipAndRecover(target: number, region: Region, byteChoice: number, bit: number, checkpointLags: boolean): Promise<void> {
  const dir = join(root.dir, `run-${runId++}`);
  await restoreDir(snapshot, dir);
  try {
    const { segment, position } = placement[target]!;
    const batch = stream[target]!;
    const [lo, hi] = regionRange(region, batch.bytes.length);
    const at = position + lo + (byteChoice % (hi - lo));
    const path = segmentFile(dir, bases[segment]!, 'log');
    const bytes = await readFile(path);
    bytes[at]! ^= 1 << bit;
    await writeFile(path, bytes);
    await removeCleanMarker(dir);
    if (checkpointLags) await rm(join(dir, 'recovery-point-offset-checkpoint'));

    const kept = stream.slice(0, target);
    const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
    try {
      const report = log.recoveryReport;
      expect(report.problem).not.toBeNull();
      expect(report.problem!.baseOffset).toBe(bases[segment]);
      expect(report.problem!.position).toBe(position);
      expect(expectedReason[region]).toContain(report.problem!.reason);
      expect(report.deletedSegments).toBe(bases.length - 1 - segment);
      const laterBatches = stream.filter((_, i) => placement[i]!.segment > segment).length;
      const cutHere = stream.filter((_, i) => i >= target && placement[i]!.segment === segment).length;
      if (region === 'length') expect(report.lostBatches).toBeGreaterThanOrEqual(1 + laterBatches);
      else expect(report.lostBatches).toBe(cutHere + laterBatches);
      const laterBytes = stream.filter((_, i) => i >= target).reduce((sum, b) => sum + b.bytes.length, 0);
      expect(report.truncatedBytes).toBe(laterBytes);
      expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual(bases.slice(0, segment + 1));

      await expectServes(log, kept);
      const next = target === 0 ? 0n : kept[kept.length - 1]!.lastOffset + 1n;
      const appended = await log.append(makeBatch(target), { durable: true });
      expect(appended.baseOffset).toBe(next);
      await expectServes(log, [...kept, { ...stream[target]!, bytes: stamp(makeBatch(target), next) }]);
    } finally {
      await log.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const regionArb = fc.constantFrom<Region>('base-offset', 'length', 'magic', 'crc', 'header', 'records');

describe('bit flips', () => {
  it('in the active segment stop the log right before the damaged batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        regionArb,
        fc.nat({ max: 10_000 }),
        fc.integer({ min: 0, max: 7 }),
        async (pick, region, byteChoice, bit) => {
          const activeBatches = placement.map((p, i) => (p.segment === bases.length - 1 ? i : -1)).filter((i) => i >= 0);
          const target = activeBatches[pick % activeBatches.length]!;
          await flipAndRecover(target, region, byteChoice, bit, false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('in any segment, with the recovery checkpoint lost, also delete every later segment', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: n - 1 }), regionArb, fc.nat({ max: 10_000 }), fc.integer({ min: 0, max: 7 }), async (target, region, byteChoice, bit) => {
        await flipAndRecover(target, region, byteChoice, bit, true);
      }),
      { numRuns: 60 },
    );
  });

  it('at every header byte of one batch', async () => {
    // The last batch of the active segment: each of its first 61 bytes but the leader epoch, one bit each.
    const target = n - 1;
    for (let byte = 0; byte < 61; byte++) {
      if (byte >= 12 && byte < 16) continue;
      const region: Region = byte < 8 ? 'base-offset' : byte < 12 ? 'length' : byte === 16 ? 'magic' : byte < 21 ? 'crc' : 'header';
      const [lo] = regionRange(region, stream[target]!.bytes.length);
      await flipAndRecover(target, region, byte - lo, byte % 8, false);
    }
  });
});
