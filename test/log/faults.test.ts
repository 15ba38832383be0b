import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyFileSystem, type PartitionLog } from '../../src/log/index.js';
import {
  appendSeq,
  config,
  expectedStream,
  expectRejectsWith,
  expectServes,
  makeBatch,
  openLog,
  readAllBatches,
  segmentBases,
  segmentFile,
  type ExpectedBatch,
} from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * Failed fsyncs and failed or short writes, injected with FaultyFileSystem over real files.
 * A failed fsync means the page cache can no longer be trusted: the log goes offline and
 * nothing waiting on that fsync is acknowledged. A failed write is undone: the file is cut
 * back, the offsets are handed out again, and the log carries on.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let runId = 0;
beforeAll(async () => {
  root = await makeScratchDir('tidelog-faults-');
});
afterAll(async () => {
  await root.cleanup();
});

function freshDir(): string {
  return join(root.dir, `run-${runId++}`);
}

/** Batches `from..to-1` of the stream, appended at once (one write group). */
function appendConcurrently(log: PartitionLog, from: number, to: number, durable: boolean): Promise<unknown>[] {
  const out: Promise<unknown>[] = [];
  for (let seq = from; seq < to; seq++) out.push(log.append(makeBatch(seq), { durable }));
  return out;
}

/** What a reopen must show after an fsync failure: the acknowledged batches, then at most the unacknowledged ones, in order. */
async function expectPrefixAfterReopen(dir: string, stream: ExpectedBatch[], acknowledged: number, overrides: Record<string, string> = {}): Promise<void> {
  const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
  try {
    expect(log.recoveryReport.cleanShutdown).toBe(false);
    const served = await readAllBatches(log);
    expect(served.length).toBeGreaterThanOrEqual(acknowledged);
    expect(served.length).toBeLessThanOrEqual(stream.length);
    served.forEach((bytes, i) => expect(bytes.equals(stream[i]!.bytes), `batch ${i}`).toBe(true));
    const next = await log.append(makeBatch(served.length), { durable: true });
    expect(next.baseOffset).toBe(served.length === 0 ? 0n : stream[served.length - 1]!.lastOffset + 1n);
  } finally {
    await log.close();
  }
}

describe('a failed fsync', () => {
  it('rejects every durable append sharing the group commit and takes the log offline', async () => {
    const dir = freshDir();
    const fs = new FaultyFileSystem();
    const log = await openLog({ dir, fs, config: config(), scanPlacement: 'never' });
    await appendSeq(log, 0, 5, false);
    await appendSeq(log, 5, 8, true);

    fs.failNextSync();
    const outcomes = await Promise.allSettled(appendConcurrently(log, 8, 14, true));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
    }
    // Offline: whatever comes next is refused, durable or not, and so are reads, flushes and rolls.
    await expectRejectsWith(log.append(makeBatch(14)), 'KAFKA_STORAGE_ERROR');
    await expectRejectsWith(log.append(makeBatch(14), { durable: true }), 'KAFKA_STORAGE_ERROR');
    await expectRejectsWith(log.read(0n, 1000), 'KAFKA_STORAGE_ERROR');
    await expectRejectsWith(log.flush(), 'KAFKA_STORAGE_ERROR');
    await expectRejectsWith(log.rollNow(), 'KAFKA_STORAGE_ERROR');
    await log.close();
    // An offline log does not claim a clean shutdown.
    expect(await segmentBases(dir)).toEqual([0n]);
    await expect(stat(join(dir, '.clean-shutdown'))).rejects.toThrow();

    // The real filesystem (whose page cache did keep the writes) recovers the log.
    await expectPrefixAfterReopen(dir, expectedStream(14), 8);
  });

  it('rejects the appends a flush.messages=1 fsync was covering', async () => {
    const dir = freshDir();
    const fs = new FaultyFileSystem();
    const overrides = { 'flush.messages': '1' };
    const log = await openLog({ dir, fs, config: config(overrides), scanPlacement: 'never' });
    const first = await appendSeq(log, 0, 4, false);
    expect(first.map((r) => r.baseOffset)).toEqual(expectedStream(4).map((b) => b.baseOffset));
    expect(log.recoveryPoint).toBe(log.logEndOffset); // each one was flushed before it was acknowledged

    fs.failNextSync();
    const outcomes = await Promise.allSettled(appendConcurrently(log, 4, 7, false));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
    }
    expect(log.recoveryPoint).toBe(expectedStream(4)[3]!.lastOffset + 1n);
    await expectRejectsWith(log.append(makeBatch(7)), 'KAFKA_STORAGE_ERROR');
    await log.close();
    await expectPrefixAfterReopen(dir, expectedStream(7), 4, overrides);
  });

  it('loses nothing acknowledged when the machine then dies', async () => {
    // After the failed fsync the unsynced bytes are gone for good: only the acknowledged survive.
    const dir = freshDir();
    const fs = new FaultyFileSystem();
    const log = await openLog({ dir, fs, config: config(), scanPlacement: 'never' });
    await appendSeq(log, 0, 6, true);
    fs.failNextSync();
    await Promise.allSettled(appendConcurrently(log, 6, 10, true));
    await fs.crash('lose-unsynced');
    await log.close().catch(() => {});
    const reopened = await openLog({ dir, config: config(), scanPlacement: 'never' });
    try {
      await expectServes(reopened, expectedStream(6));
    } finally {
      await reopened.close();
    }
  });
});

describe('a failed or short write', () => {
  const prefix = 6;
  const group = 3;

  async function failedWriteCase(k: number, durable: boolean): Promise<void> {
    const dir = freshDir();
    const fs = new FaultyFileSystem();
    const stream = expectedStream(prefix + group + 2);
    const log = await openLog({ dir, fs, config: config({ 'index.interval.bytes': '100' }), scanPlacement: 'never' });
    try {
      await appendSeq(log, 0, prefix, durable);
      const logPath = segmentFile(dir, 0n, 'log');
      const sizeBefore = (await stat(logPath)).size;
      const endBefore = log.logEndOffset;

      fs.failNextWrite(k);
      const outcomes = await Promise.allSettled(appendConcurrently(log, prefix, prefix + group, durable));
      for (const outcome of outcomes) {
        expect(outcome.status, `k=${k}`).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
      }
      // Undone: the file is back to its old length and nothing new is visible.
      expect((await stat(logPath)).size).toBe(sizeBefore);
      expect(log.logEndOffset).toBe(endBefore);
      expect(log.size).toBe(sizeBefore);

      // The log carries on: the same batches get the same offsets the failed appends had.
      const retried = await Promise.all(appendConcurrently(log, prefix, prefix + group, durable));
      expect(retried.map((r) => (r as { baseOffset: bigint }).baseOffset)).toEqual(stream.slice(prefix, prefix + group).map((b) => b.baseOffset));
      await appendSeq(log, prefix + group, prefix + group + 2, durable);
      await expectServes(log, stream);
    } finally {
      await log.close();
    }

    // No garbage on disk: a clean reopen and an unclean one both see exactly the stream.
    const clean = await openLog({ dir, config: config({ 'index.interval.bytes': '100' }), scanPlacement: 'never' });
    try {
      expect(clean.recoveryReport.cleanShutdown).toBe(true);
      await expectServes(clean, stream);
    } finally {
      await clean.close();
    }
    await rm(join(dir, '.clean-shutdown'));
    const unclean = await openLog({ dir, config: config({ 'index.interval.bytes': '100' }), scanPlacement: 'never' });
    try {
      expect(unclean.recoveryReport).toMatchObject({ cleanShutdown: false, truncatedBytes: 0, lostBatches: 0, problem: null });
      await expectServes(unclean, stream);
    } finally {
      await unclean.close();
    }
    expect((await stat(segmentFile(dir, 0n, 'log'))).size).toBe(stream.reduce((sum, b) => sum + b.bytes.length, 0));
  }

  const first = makeBatch(prefix).length;
  const groupBytes = [0, 1, 2].reduce((sum, i) => sum + makeBatch(prefix + i).length, 0);
  // Nothing, a partial header, a whole header, a batch but one byte, exactly one batch, into
  // the second batch, the group but one byte, the whole group (then the error).
  const cuts = [0, 1, 11, 12, 60, 61, first - 1, first, first + 1, groupBytes - 1, groupBytes, groupBytes + 50];

  for (const k of cuts) {
    it(`after ${k} of ${groupBytes} bytes is undone and retried at the same offsets`, async () => {
      await failedWriteCase(k, k % 2 === 0);
    });
  }

  it('during a roll takes the log offline until it is reopened', async () => {
    // With tiny segments the next append rolls first; the roll writes index files and the
    // checkpoint, so the injected failure hits one of those.
    const dir = freshDir();
    const fs = new FaultyFileSystem();
    const overrides = { 'segment.bytes': '500', 'index.interval.bytes': '100' };
    const log = await openLog({ dir, fs, config: config(overrides), scanPlacement: 'never' });
    const stream = expectedStream(20);
    let seq = 0;
    while (log.segmentInfos().length === 1) await log.append(makeBatch(seq++));
    const bases = log.segmentInfos().length;
    // Fill the active segment until the next batch will need a roll.
    while (log.segmentInfos().at(-1)!.size + makeBatch(seq).length <= 500) await log.append(makeBatch(seq++));
    fs.failNextWrite(3);
    await expectRejectsWith(log.append(makeBatch(seq)), 'KAFKA_STORAGE_ERROR');
    expect(log.segmentInfos().length).toBe(bases);
    await expectRejectsWith(log.append(makeBatch(seq)), 'KAFKA_STORAGE_ERROR');
    await log.close();
    await expectPrefixAfterReopen(dir, stream, seq, overrides);
  });
});
