import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { PartitionLog } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import { config, expectRejectsWith, readAllBatches, removeCleanMarker, segmentBases } from '../helpers/log-fixtures.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * Rolling and retention, with time from a ManualClock. Rolling on offset overflow (a
 * segment spanning more than 2^31 offsets) is not tested: it needs two billion offsets.
 */

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir('tidelog-retention-');
});
afterEach(async () => {
  await tmp.cleanup();
});

/** A one-record batch of `bytes` bytes in all (about), with timestamp `ts`. */
function batch(ts: number, valueBytes = 100): Buffer {
  return buildBatch([{ value: Buffer.alloc(valueBytes, 7), timestamp: ts }]);
}

const BATCH = batch(NOW).length;

async function open(clock: ManualClock, overrides: Record<string, string>): Promise<PartitionLog> {
  return PartitionLog.open({ dir: tmp.dir, config: config(overrides), clock, scanPlacement: 'never' });
}

describe('rolling', () => {
  it('on segment.bytes: no segment grows past it, and the batch that would is the next one’s first', async () => {
    const clock = new ManualClock(NOW);
    const log = await open(clock, { 'segment.bytes': String(3 * BATCH + 10) });
    try {
      for (let i = 0; i < 10; i++) await log.append(batch(NOW));
      expect(log.lastRollReason).toBe('segment-bytes');
      expect(log.segmentInfos().map((s) => [s.baseOffset, s.size])).toEqual([
        [0n, 3 * BATCH],
        [3n, 3 * BATCH],
        [6n, 3 * BATCH],
        [9n, BATCH],
      ]);
      expect(await segmentBases(tmp.dir)).toEqual([0n, 3n, 6n, 9n]);
      // A batch larger than segment.bytes still gets written: alone, in its own segment.
      const huge = batch(NOW, 4 * BATCH);
      await log.append(huge);
      await log.append(batch(NOW));
      expect(log.segmentInfos().slice(-2).map((s) => [s.baseOffset, s.size])).toEqual([
        [10n, huge.length],
        [11n, BATCH],
      ]);
    } finally {
      await log.close();
    }
  });

  it('on segment.ms, counted from the first batch of the segment (and from loading, after a reopen)', async () => {
    const clock = new ManualClock(NOW);
    const overrides = { 'segment.ms': '1000' };
    let log = await open(clock, overrides);
    clock.advance(5000); // an empty segment does not age
    await log.append(batch(NOW));
    clock.advance(999);
    await log.append(batch(NOW));
    expect(log.segmentInfos()).toHaveLength(1);
    clock.advance(1);
    await log.append(batch(NOW));
    expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([0n, 2n]);
    expect(log.lastRollReason).toBe('segment-ms');
    clock.advance(500);
    await log.close();

    clock.advance(10_000);
    log = await open(clock, overrides);
    try {
      clock.advance(999);
      await log.append(batch(NOW));
      expect(log.segmentInfos()).toHaveLength(2);
      clock.advance(1);
      await log.append(batch(NOW));
      expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([0n, 2n, 4n]);
    } finally {
      await log.close();
    }
  });

  it('when the offset index is full (segment.index.bytes)', async () => {
    const clock = new ManualClock(NOW);
    // Room for two index entries; an entry for every batch but a segment's first (as in Kafka,
    // an entry needs more than index.interval.bytes of log since the last one).
    const log = await open(clock, { 'segment.index.bytes': '16', 'index.interval.bytes': '0' });
    try {
      for (let i = 0; i < 7; i++) await log.append(batch(NOW));
      expect(log.lastRollReason).toBe('index-full');
      expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([0n, 3n, 6n]);
    } finally {
      await log.close();
    }
  });

  it('on request, unless the active segment is empty', async () => {
    const clock = new ManualClock(NOW);
    const log = await open(clock, {});
    try {
      await log.rollNow();
      expect(log.segmentInfos()).toHaveLength(1);
      expect(log.lastRollReason).toBeNull();
      await log.append(batch(NOW));
      await log.rollNow();
      await log.rollNow();
      expect(log.lastRollReason).toBe('requested');
      expect(log.segmentInfos().map((s) => [s.baseOffset, s.nextOffset])).toEqual([
        [0n, 1n],
        [1n, 1n],
      ]);
      expect((await log.append(batch(NOW))).baseOffset).toBe(1n);
      expect(log.recoveryPoint).toBe(1n); // rolling flushed the closed segment
    } finally {
      await log.close();
    }
  });
});

describe('retention', () => {
  /** Segments of two batches each, with the given timestamps (one per segment), then an active one holding `activeTs`. */
  async function segmentsWithTimestamps(log: PartitionLog, timestamps: number[], activeTs: number): Promise<void> {
    for (const ts of timestamps) {
      await log.append(batch(ts - 1));
      await log.append(batch(ts));
      await log.rollNow();
    }
    await log.append(batch(activeTs));
  }

  it('by retention.ms deletes the oldest closed segments whose newest record is too old, never the active one', async () => {
    const clock = new ManualClock(NOW);
    const log = await open(clock, { 'retention.ms': String(7 * DAY) });
    try {
      await segmentsWithTimestamps(log, [NOW - 10 * DAY, NOW - 9 * DAY, NOW - DAY, NOW - 20 * DAY], NOW - 30 * DAY);
      const before = await readAllBatches(log);
      const result = await log.applyRetention();
      // The fourth segment is old too, but retention stops at the first one that must stay.
      expect(result).toEqual({ deletedSegments: 2, deletedBytes: 4 * BATCH, reasons: ['retention-ms', 'retention-ms'] });
      expect(log.logStartOffset).toBe(4n);
      expect(log.logEndOffset).toBe(9n);
      expect(await segmentBases(tmp.dir)).toEqual([4n, 6n, 8n]);
      expect((await readdir(tmp.dir)).filter((name) => /^0{20}\./.test(name))).toEqual([]);
      // Below the log start is out of range; from it on, the data is untouched.
      await expectRejectsWith(log.read(0n, 1000), 'OFFSET_OUT_OF_RANGE');
      await expectRejectsWith(log.read(3n, 1000), 'OFFSET_OUT_OF_RANGE');
      expect((await readAllBatches(log)).map((b) => b.toString('hex'))).toEqual(before.slice(4).map((b) => b.toString('hex')));
      // Appends report the new log start.
      expect((await log.append(batch(NOW))).logStartOffset).toBe(4n);

      // Time passes: everything closed is old now, but the active segment stays.
      clock.advance(30 * DAY);
      const later = await log.applyRetention();
      expect(later.deletedSegments).toBe(2);
      expect(log.segmentInfos().map((s) => s.baseOffset)).toEqual([8n]);
      expect(log.logStartOffset).toBe(8n);
      expect(await log.applyRetention()).toEqual({ deletedSegments: 0, deletedBytes: 0, reasons: [] });
    } finally {
      await log.close();
    }
  });

  it('by retention.bytes deletes the oldest closed segments while the rest still reaches the limit', async () => {
    const clock = new ManualClock(NOW);
    // Five closed segments of two batches, one active of one batch: 11 batches in all.
    const log = await open(clock, { 'retention.bytes': String(6 * BATCH + 1), 'retention.ms': '-1' });
    try {
      await segmentsWithTimestamps(log, [NOW, NOW, NOW, NOW, NOW], NOW);
      expect(log.size).toBe(11 * BATCH);
      const result = await log.applyRetention();
      // Deleting two segments leaves 7 batches (>= the limit); a third would leave 5 (< the limit).
      expect(result).toEqual({ deletedSegments: 2, deletedBytes: 4 * BATCH, reasons: ['retention-bytes', 'retention-bytes'] });
      expect(log.size).toBe(7 * BATCH);
      expect(log.logStartOffset).toBe(4n);
      await expectRejectsWith(log.read(2n, 100), 'OFFSET_OUT_OF_RANGE');
    } finally {
      await log.close();
    }
  });

  it('keeps everything when both limits are -1', async () => {
    const clock = new ManualClock(NOW);
    const log = await open(clock, { 'retention.bytes': '-1', 'retention.ms': '-1' });
    try {
      await segmentsWithTimestamps(log, [NOW - 1000 * DAY, NOW - 900 * DAY], NOW - 800 * DAY);
      clock.advance(1000 * DAY);
      expect((await log.applyRetention()).deletedSegments).toBe(0);
      expect(log.logStartOffset).toBe(0n);
    } finally {
      await log.close();
    }
  });

  for (const how of ['cleanly', 'uncleanly'] as const) {
    it(`survives a reopen (${how}): log start, segments and data stay as retention left them`, async () => {
      const clock = new ManualClock(NOW);
      const overrides = { 'retention.ms': String(7 * DAY) };
      let log = await open(clock, overrides);
      await segmentsWithTimestamps(log, [NOW - 10 * DAY, NOW - 9 * DAY, NOW], NOW);
      await log.applyRetention();
      const segments = log.segmentInfos();
      const data = await readAllBatches(log);
      expect(log.logStartOffset).toBe(4n);
      await log.close();
      if (how === 'uncleanly') await removeCleanMarker(tmp.dir);

      log = await open(clock, overrides);
      try {
        expect(log.recoveryReport.cleanShutdown).toBe(how === 'cleanly');
        expect(log.logStartOffset).toBe(4n);
        expect(log.segmentInfos()).toEqual(segments);
        expect(await readAllBatches(log)).toEqual(data);
        await expectRejectsWith(log.read(3n, 100), 'OFFSET_OUT_OF_RANGE');
        expect(await log.applyRetention()).toMatchObject({ deletedSegments: 0 });
        expect((await log.append(batch(NOW))).baseOffset).toBe(7n);
      } finally {
        await log.close();
      }
    });
  }
});
