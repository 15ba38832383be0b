import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionLog } from '../../src/log/index.js';
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
  setCheckpoint,
  snapshotDir,
  type DirSnapshot,
  stamp,
  truncateFile,
  type ExpectedBatch,
} from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * An unclean stop can leave the active segment cut anywhere. Whatever the cut, reopening
 * must keep every whole batch before it (byte-identical), report what it cut, and carry on
 * from the next offset.
 */

let root: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeScratchDir('tidelog-torn-');
});
afterAll(async () => {
  await root.cleanup();
});

interface Layout {
  /** Base offsets of the segments, in order. */
  bases: bigint[];
  /** For each segment, the batches it holds and where each ends in its file. */
  perSegment: { batches: ExpectedBatch[]; ends: number[] }[];
}

/** Works out which batch went where from what the log wrote (each batch's file and position). */
async function layoutOf(dir: string, stream: ExpectedBatch[]): Promise<Layout> {
  const bases = await segmentBases(dir);
  const perSegment = bases.map(() => ({ batches: [] as ExpectedBatch[], ends: [] as number[] }));
  for (const batch of stream) {
    let s = bases.length - 1;
    while (bases[s]! > batch.baseOffset) s--;
    const seg = perSegment[s]!;
    const end = (seg.ends[seg.ends.length - 1] ?? 0) + batch.bytes.length;
    seg.batches.push(batch);
    seg.ends.push(end);
  }
  return { bases, perSegment };
}

/** Small batches (about 70 to 110 bytes) keep the every-byte loops short. */
const smallBatch = (seq: number): Buffer => makeBatch(seq, 2 + (seq % 9));

/** Writes `n` batches to a fresh log in `dir`, closes it cleanly, and snapshots its files. */
async function writeTemplate(dir: string, n: number, overrides: Record<string, string>): Promise<{ stream: ExpectedBatch[]; snapshot: DirSnapshot }> {
  const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
  // A mix of acks=1 and durable appends, some concurrent.
  await appendSeq(log, 0, Math.floor(n / 2), false, smallBatch);
  const pending = [];
  for (let seq = Math.floor(n / 2); seq < n; seq++) pending.push(log.append(smallBatch(seq), { durable: seq % 2 === 0 }));
  await Promise.all(pending);
  await log.close();
  return { stream: expectedStream(n, 0n, smallBatch), snapshot: await snapshotDir(dir) };
}

/** Appends the next batch of the stream and checks it lands right after `kept`. */
async function expectNextAppend(log: PartitionLog, kept: ExpectedBatch[]): Promise<ExpectedBatch> {
  const seq = kept.length;
  const expectedBase = kept.length > 0 ? kept[kept.length - 1]!.lastOffset + 1n : 0n;
  const result = await log.append(smallBatch(seq));
  expect(result.baseOffset).toBe(expectedBase);
  const raw = smallBatch(seq);
  return { seq, baseOffset: expectedBase, lastOffset: result.lastOffset, bytes: stamp(raw, expectedBase) };
}

describe('torn tail of a single-segment log', () => {
  const overrides = { 'index.interval.bytes': '150' };
  const n = 24;

  it('recovers from a cut at every byte of the last three batches', async () => {
    const template = join(root.dir, 'single-template');
    const { stream, snapshot } = await writeTemplate(template, n, overrides);
    const { bases, perSegment } = await layoutOf(template, stream);
    expect(bases).toEqual([0n]);
    const { ends } = perSegment[0]!;
    const total = ends[ends.length - 1]!;
    const from = ends[ends.length - 4]!; // start of the third batch from the end

    let iteration = 0;
    for (let cut = from; cut <= total; cut++, iteration++) {
      const dir = join(root.dir, `single-${cut}`);
      await restoreDir(snapshot, dir);
      await truncateFile(segmentFile(dir, 0n, 'log'), cut);
      await removeCleanMarker(dir);
      // The checkpoint may lag behind the data: sometimes at the end, sometimes earlier, sometimes absent.
      if (iteration % 3 === 1) await setCheckpoint(dir, stream[5]!.baseOffset);
      if (iteration % 3 === 2) await rm(join(dir, 'recovery-point-offset-checkpoint'));

      const keptCount = ends.filter((e) => e <= cut).length;
      const kept = stream.slice(0, keptCount);
      const validEnd = keptCount === 0 ? 0 : ends[keptCount - 1]!;
      const torn = cut > validEnd;

      let after: ExpectedBatch[] = [];
      const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
      try {
        const report = log.recoveryReport;
        expect(report.cleanShutdown).toBe(false);
        expect(report.truncatedBytes).toBe(cut - validEnd);
        expect(report.lostBatches).toBe(torn ? 1 : 0);
        expect(report.deletedSegments).toBe(0);
        if (torn) expect(report.problem).toMatchObject({ baseOffset: 0n, position: validEnd, reason: 'truncated' });
        else expect(report.problem).toBeNull();
        await expectServes(log, kept);
        after = [...kept, await expectNextAppend(log, kept)];
        await expectServes(log, after);
      } finally {
        await log.close();
      }
      // Every few cuts, also check a clean reopen after recovery keeps the same state.
      if (iteration % 8 === 0) {
        const again = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
        try {
          expect(again.recoveryReport.cleanShutdown).toBe(true);
          expect(again.recoveryReport.truncatedBytes).toBe(0);
          await expectServes(again, after);
        } finally {
          await again.close();
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
    expect(iteration).toBeGreaterThan(100);
  });
});

describe('torn tail over several segments', () => {
  // About eight batches per segment.
  const overrides = { 'segment.bytes': '800', 'index.interval.bytes': '150' };
  const n = 44;
  let snapshot: DirSnapshot;
  let stream: ExpectedBatch[];
  let layout: Layout;

  beforeAll(async () => {
    const template = join(root.dir, 'multi-template');
    ({ stream, snapshot } = await writeTemplate(template, n, overrides));
    layout = await layoutOf(template, stream);
    expect(layout.bases.length).toBeGreaterThanOrEqual(4);
  });

  it('recovers from a cut at every byte of the last segment’s last three batches', async () => {
    const last = layout.bases.length - 1;
    const lastBase = layout.bases[last]!;
    const { batches, ends } = layout.perSegment[last]!;
    expect(batches.length).toBeGreaterThanOrEqual(4);
    const before = stream.slice(0, stream.indexOf(batches[0]!));
    const total = ends[ends.length - 1]!;
    const from = ends.length > 3 ? ends[ends.length - 4]! : 0;
    for (let cut = from; cut < total; cut++) {
      const dir = join(root.dir, `multi-last-${cut}`);
      await restoreDir(snapshot, dir);
      await truncateFile(segmentFile(dir, lastBase, 'log'), cut);
      await removeCleanMarker(dir);
      const keptHere = ends.filter((e) => e <= cut).length;
      const validEnd = keptHere === 0 ? 0 : ends[keptHere - 1]!;
      const kept = [...before, ...batches.slice(0, keptHere)];

      const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
      try {
        const report = log.recoveryReport;
        expect(report.truncatedBytes).toBe(cut - validEnd);
        expect(report.lostBatches).toBe(cut > validEnd ? 1 : 0);
        expect(report.deletedSegments).toBe(0);
        expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual(layout.bases);
        await expectServes(log, kept);
        const next = await expectNextAppend(log, kept);
        await expectServes(log, [...kept, next]);
      } finally {
        await log.close();
      }
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('deletes every later segment when one in the middle is torn (checkpoint lagging)', async () => {
    const middle = 1;
    const middleBase = layout.bases[middle]!;
    const { batches, ends } = layout.perSegment[middle]!;
    const before = stream.slice(0, stream.indexOf(batches[0]!));
    const later = layout.perSegment.slice(middle + 1);
    const laterBytes = later.reduce((sum, s) => sum + s.ends[s.ends.length - 1]!, 0);
    const laterBatches = later.reduce((sum, s) => sum + s.batches.length, 0);
    const total = ends[ends.length - 1]!;
    const from = ends[ends.length - 3]!; // the last two batches

    let iteration = 0;
    for (let cut = from; cut < total; cut++, iteration++) {
      const dir = join(root.dir, `multi-middle-${cut}`);
      await restoreDir(snapshot, dir);
      await truncateFile(segmentFile(dir, middleBase, 'log'), cut);
      await removeCleanMarker(dir);
      // The checkpoint lags: inside the first segment, or missing altogether.
      if (iteration % 2 === 0) await setCheckpoint(dir, stream[2]!.baseOffset);
      else await rm(join(dir, 'recovery-point-offset-checkpoint'));

      const keptHere = ends.filter((e) => e <= cut).length;
      const validEnd = keptHere === 0 ? 0 : ends[keptHere - 1]!;
      const kept = [...before, ...batches.slice(0, keptHere)];
      const torn = cut > validEnd;

      const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
      try {
        const report = log.recoveryReport;
        expect(report.deletedSegments).toBe(layout.bases.length - middle - 1);
        expect(report.truncatedBytes).toBe(cut - validEnd + laterBytes);
        expect(report.lostBatches).toBe((torn ? 1 : 0) + laterBatches);
        expect(report.problem).toMatchObject(
          torn ? { baseOffset: middleBase, position: validEnd, reason: 'truncated' } : { baseOffset: layout.bases[middle + 1]!, reason: 'offset-gap' },
        );
        expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual(layout.bases.slice(0, middle + 1));
        expect(await segmentBases(dir)).toEqual(layout.bases.slice(0, middle + 1));
        await expectServes(log, kept);
        const next = await expectNextAppend(log, kept);
        await expectServes(log, [...kept, next]);
      } finally {
        await log.close();
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});
