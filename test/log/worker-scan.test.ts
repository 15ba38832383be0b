import { readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScanPool, type PartitionLog, type ScanPlacement } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import {
  appendSeq,
  BASE_TIME,
  CHECKPOINT,
  config,
  expectedStream,
  expectServes,
  openLog,
  removeCleanMarker,
  restoreDir,
  segmentBases,
  segmentFile,
  snapshotDir,
  type DirSnapshot,
} from '../helpers/log-fixtures.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * Recovery can verify segments on worker threads. Wherever the scan runs, the outcome must
 * be the same: the same segments, log end, answers, and the same rebuilt index files.
 */

const overrides = { 'segment.bytes': '6000', 'index.interval.bytes': '300' };
const n = 150;

let tmp: { dir: string; cleanup: () => Promise<void> };
let snapshot: DirSnapshot;
beforeAll(async () => {
  tmp = await makeTempDir('tidelog-worker-');
  const template = join(tmp.dir, 'template');
  const log = await openLog({ dir: template, config: config(overrides), scanPlacement: 'never' });
  await appendSeq(log, 0, n);
  await log.close();
  snapshot = await snapshotDir(template);
});
afterAll(async () => {
  await closeScanPool();
  await tmp.cleanup();
});

async function indexFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) if (/\.(index|timeindex)$/.test(name)) out.set(name, await readFile(join(dir, name)));
  return out;
}

async function lookups(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0n; offset <= log.logEndOffset; offset += 3n) out.push((await log.read(offset, 500)).toString('base64'));
  for (let t = BASE_TIME - 10; t <= BASE_TIME + n * 10 + 10; t += 13) {
    const found = await log.offsetForTimestamp(t);
    out.push(found ? `${found.offset}@${found.timestamp}` : 'none');
  }
  return out;
}

/** Opens an uncleanly stopped copy of the template with `placement`; returns everything observable. */
async function recoverWith(placement: ScanPlacement, damage: (dir: string) => Promise<void>) {
  const dir = join(tmp.dir, `${placement}-${Math.random().toString(36).slice(2)}`);
  await restoreDir(snapshot, dir);
  await removeCleanMarker(dir);
  await rm(join(dir, CHECKPOINT)); // no recovery point: every segment is verified
  await damage(dir);
  const log = await openLog({ dir, config: config(overrides), scanPlacement: placement });
  try {
    return {
      dir,
      report: log.recoveryReport,
      segments: log.segmentInfos(),
      end: log.logEndOffset,
      answers: await lookups(log),
      indexes: await indexFiles(dir),
    };
  } finally {
    await log.close();
  }
}

describe('recovery on worker threads', () => {
  it('gives the same result as recovery on the main thread', async () => {
    const bases = await segmentBases(join(tmp.dir, 'template'));
    expect(bases.length).toBeGreaterThanOrEqual(3);
    const tear = async (dir: string) => {
      const path = segmentFile(dir, bases.at(-1)!, 'log');
      const size = (await readFile(path)).length;
      await truncate(path, size - 17); // a torn last batch, for the workers to find too
    };
    const inWorkers = await recoverWith('always', tear);
    const onMain = await recoverWith('never', tear);

    expect(inWorkers.report.scannedInWorkers).toBe(bases.length);
    expect(onMain.report.scannedInWorkers).toBe(0);
    expect({ ...inWorkers.report, scannedInWorkers: 0 }).toEqual(onMain.report);
    expect(onMain.report).toMatchObject({ segmentsScanned: bases.length, truncatedBytes: expectedStream(n).at(-1)!.bytes.length - 17, lostBatches: 1 });
    expect(onMain.report.problem).toMatchObject({ baseOffset: bases.at(-1), reason: 'truncated' });
    expect(inWorkers.segments).toEqual(onMain.segments);
    expect(inWorkers.end).toBe(onMain.end);
    expect(inWorkers.end).toBe(expectedStream(n - 1).at(-1)!.lastOffset + 1n);
    expect(inWorkers.answers).toEqual(onMain.answers);
    expect([...inWorkers.indexes.keys()]).toEqual([...onMain.indexes.keys()]);
    for (const [name, bytes] of onMain.indexes) expect(inWorkers.indexes.get(name)!.equals(bytes), name).toBe(true);
  });

  it('rebuilds exactly the index files that appending wrote', async () => {
    const rebuilt = await recoverWith('always', async () => {});
    expect(rebuilt.report.problem).toBeNull();
    const original = new Map([...snapshot].filter(([name]) => /\.(index|timeindex)$/.test(name)));
    expect([...rebuilt.indexes.keys()]).toEqual([...original.keys()].sort());
    for (const [name, bytes] of original) expect(rebuilt.indexes.get(name)!.equals(bytes), name).toBe(true);
  });

  it("sends a segment over 1 MiB to a worker under 'auto'", async () => {
    const dir = join(tmp.dir, 'large');
    const big = (i: number) => buildBatch([{ value: Buffer.alloc(64 * 1024, i), timestamp: BASE_TIME + i }]);
    let log = await openLog({ dir, config: config(), scanPlacement: 'auto' });
    const count = 20; // about 1.3 MiB in one segment
    for (let i = 0; i < count; i++) await log.append(big(i));
    await log.close();
    await removeCleanMarker(dir);
    log = await openLog({ dir, config: config(), scanPlacement: 'auto' });
    try {
      expect(log.segmentInfos()[0]!.size).toBeGreaterThan(1 << 20);
      expect(log.recoveryReport).toMatchObject({ segmentsScanned: 1, problem: null });
      expect(log.recoveryReport.scannedInWorkers).toBeGreaterThan(0);
      await expectServes(
        log,
        Array.from({ length: count }, (_, i) => {
          const bytes = big(i);
          bytes.writeBigInt64BE(BigInt(i), 0);
          bytes.writeInt32BE(0, 12);
          return { seq: i, baseOffset: BigInt(i), lastOffset: BigInt(i), bytes };
        }),
      );
    } finally {
      await log.close();
    }
  });
});
