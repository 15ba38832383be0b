import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { PartitionLog } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import { config, removeCleanMarker } from '../helpers/log-fixtures.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * A segment's largest timestamp decides both offsetForTimestamp (segments entirely older
 * than the target are skipped) and retention.ms (a segment is deleted once its newest
 * record is old enough). It must survive every way a log is closed and reopened: the time
 * index is the only place it is kept on disk.
 */

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir('tidelog-maxts-');
});
afterEach(async () => {
  await tmp.cleanup();
});

/** Ten small batches, one millisecond apart, all well under index.interval.bytes in total. */
function batchAt(i: number): Buffer {
  return buildBatch([{ value: Buffer.from(`v${i}`), timestamp: NOW - 1000 + i }]);
}

async function fill(log: PartitionLog, from = 0, to = 10): Promise<void> {
  for (let i = from; i < to; i++) await log.append(batchAt(i));
}

// Default index.interval.bytes (4096): these segments have no index entry at all.
const settings = { 'retention.ms': String(7 * DAY) };

describe('the largest timestamp of a segment', () => {
  it('survives a clean close of the active segment', async () => {
    const clock = new ManualClock(NOW);
    let log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    await fill(log);
    expect(await log.offsetForTimestamp(NOW - 991)).toEqual({ offset: 9n, timestamp: NOW - 991 });
    await log.close();

    log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    try {
      expect(log.recoveryReport.cleanShutdown).toBe(true);
      expect(log.segmentInfos()[0]!.maxTimestamp).toBe(NOW - 991);
      expect(await log.offsetForTimestamp(NOW - 991)).toEqual({ offset: 9n, timestamp: NOW - 991 });
      expect(await log.offsetForTimestamp(NOW - 995)).toEqual({ offset: 5n, timestamp: NOW - 995 });
    } finally {
      await log.close();
    }
  });

  it('keeps a reopened segment from retention once it is rolled', async () => {
    const clock = new ManualClock(NOW);
    let log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    await fill(log);
    await log.close();

    log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    try {
      await log.rollNow();
      clock.advance(DAY); // a day old: well inside retention.ms
      expect(await log.applyRetention()).toMatchObject({ deletedSegments: 0 });
      expect(log.logStartOffset).toBe(0n);
      clock.advance(7 * DAY); // now past it
      expect(await log.applyRetention()).toMatchObject({ deletedSegments: 1, reasons: ['retention-ms'] });
      expect(log.logStartOffset).toBe(10n);
    } finally {
      await log.close();
    }
  });

  it('survives a recovery scan followed by a clean reopen', async () => {
    const clock = new ManualClock(NOW);
    let log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    await fill(log, 0, 5);
    await log.rollNow();
    await fill(log, 5, 10);
    await log.close();
    await removeCleanMarker(tmp.dir);
    await rm(join(tmp.dir, 'recovery-point-offset-checkpoint'));

    // Unclean open: every segment is scanned and its indexes rebuilt.
    log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    expect(log.recoveryReport.segmentsScanned).toBe(2);
    await log.close();

    log = await PartitionLog.open({ dir: tmp.dir, config: config(settings), clock });
    try {
      expect(log.recoveryReport.segmentsScanned).toBe(0);
      expect(log.segmentInfos().map((s) => s.maxTimestamp)).toEqual([NOW - 996, NOW - 991]);
      expect(await log.offsetForTimestamp(NOW - 996)).toEqual({ offset: 4n, timestamp: NOW - 996 });
      clock.advance(DAY);
      expect(await log.applyRetention()).toMatchObject({ deletedSegments: 0 });
    } finally {
      await log.close();
    }
  });

  it('is looked up right when some batches carry no timestamp (-1)', async () => {
    // Three-record batches with NO_TIMESTAMP, then timed ones; an index entry for every batch.
    const settingsDense = { ...settings, 'index.interval.bytes': '0' };
    const untimed = () => buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }, { value: Buffer.from('c') }], { baseTimestamp: -1 });
    let log = await PartitionLog.open({ dir: tmp.dir, config: config(settingsDense) });
    for (let i = 0; i < 3; i++) await log.append(untimed());
    await log.append(buildBatch([{ value: Buffer.from('t'), timestamp: NOW }, { value: Buffer.from('u'), timestamp: NOW + 5 }]));
    await log.append(untimed());
    const expectAnswers = async () => {
      expect(await log.offsetForTimestamp(0)).toEqual({ offset: 9n, timestamp: NOW });
      expect(await log.offsetForTimestamp(NOW + 1)).toEqual({ offset: 10n, timestamp: NOW + 5 });
      expect(await log.offsetForTimestamp(NOW + 6)).toBeNull();
    };
    await expectAnswers();
    await log.close();
    log = await PartitionLog.open({ dir: tmp.dir, config: config(settingsDense) });
    try {
      expect(log.recoveryReport.segmentsScanned).toBe(0);
      await expectAnswers();
    } finally {
      await log.close();
    }
  });
});
