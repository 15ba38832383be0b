import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import { config, expectRejectsWith, readAllBatches, removeCleanMarker, segmentBases } from '../helpers/log-fixtures.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/** PartitionLog.deleteSegmentsBelow: whole segments below an offset go, the log start advances, the rest stays readable. */

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir('tidelog-delete-segments-');
});
afterEach(async () => {
  await tmp.cleanup();
});

const batch = (i: number) => buildBatch([{ value: Buffer.from(`v${i}`), timestamp: 1_700_000_000_000 + i }]);

async function logWithSegments(): Promise<PartitionLog> {
  const log = await PartitionLog.open({ dir: tmp.dir, config: config(), scanPlacement: 'never' });
  // Segments [0,3) [3,6) [6,9) and the active one from 9.
  for (let i = 0; i < 10; i++) {
    await log.append(batch(i));
    if (i % 3 === 2) await log.rollNow();
  }
  return log;
}

describe('PartitionLog.deleteSegmentsBelow', () => {
  it('deletes only segments wholly below the offset, never the active one, and the log starts at the first kept', async () => {
    const log = await logWithSegments();
    try {
      expect(await segmentBases(tmp.dir)).toEqual([0n, 3n, 6n, 9n]);
      expect(await log.deleteSegmentsBelow(5n)).toEqual({ deletedSegments: 1, deletedBytes: 3 * batch(0).length });
      expect(log.logStartOffset).toBe(3n);
      expect(await segmentBases(tmp.dir)).toEqual([3n, 6n, 9n]);
      expect(await log.deleteSegmentsBelow(6n)).toMatchObject({ deletedSegments: 1 });
      expect(await log.deleteSegmentsBelow(6n)).toMatchObject({ deletedSegments: 0, deletedBytes: 0 });
      // Far past the end: everything but the active segment.
      expect(await log.deleteSegmentsBelow(1000n)).toMatchObject({ deletedSegments: 1 });
      expect(log.logStartOffset).toBe(9n);
      expect(log.logEndOffset).toBe(10n);
      expect(await readAllBatches(log)).toHaveLength(1);
      await expectRejectsWith(log.read(8n, 1 << 20), 'OFFSET_OUT_OF_RANGE');
      expect((await readdir(tmp.dir)).filter((n) => /^0+[0-8]\./.test(n))).toEqual([]);
    } finally {
      await log.close();
    }
  });

  it('the new log start survives a clean and an unclean reopen', async () => {
    const log = await logWithSegments();
    await log.deleteSegmentsBelow(6n);
    await log.append(batch(10));
    await log.close();
    const reopened = await PartitionLog.open({ dir: tmp.dir, config: config(), scanPlacement: 'never' });
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([6n, 11n]);
    expect(await readAllBatches(reopened)).toHaveLength(5);
    await reopened.close();
    await removeCleanMarker(tmp.dir);
    const recovered = await PartitionLog.open({ dir: tmp.dir, config: config(), scanPlacement: 'never' });
    try {
      expect([recovered.logStartOffset, recovered.logEndOffset]).toEqual([6n, 11n]);
      expect(recovered.recoveryReport.cleanShutdown).toBe(false);
    } finally {
      await recovered.close();
    }
  });

  it('fails on a closed log', async () => {
    const log = await logWithSegments();
    await log.close();
    await expectRejectsWith(log.deleteSegmentsBelow(3n), 'KAFKA_STORAGE_ERROR');
  });
});
