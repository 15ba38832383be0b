import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTopicConfig, type TopicConfig } from '../../src/config/index.js';
import { closeScanPool, FaultyFileSystem, PartitionLog, ReadAhead, ReadBufferPool, type LogSlice } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import { expectedStream, makeBatch, type ExpectedBatch } from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * The fetch read path of the log (readSlice): one read of the file where an earlier read
 * ended, reused buffers, read-ahead. It must serve exactly what `read` always served: whole
 * batches from the one holding the offset, up to maxBytes but at least one, from one
 * segment; and a slice's bytes must stay as they are until it is released.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let runId = 0;
beforeAll(async () => {
  root = await makeScratchDir('tidelog-read-path-');
});
afterAll(async () => {
  closeScanPool();
  await root.cleanup();
});

function freshDir(): string {
  return `${root.dir}/run-${runId++}`;
}

/** Every read pooled (minBytes 1), so that a buffer reused too early shows. */
function pooled(): ReadBufferPool {
  return new ReadBufferPool({ minBytes: 1 });
}

function topicConfig(overrides: Record<string, string> = {}): TopicConfig {
  return resolveTopicConfig({ 'index.interval.bytes': '200', 'retention.ms': '-1', ...overrides });
}

/** What readSlice must return, from a model of the appended batches (as the log model test has it). */
function expectedRead(model: readonly ExpectedBatch[], offset: bigint, maxBytes: number, segmentEnd: bigint): { bytes: Buffer; nextOffset: bigint } {
  const start = model.findIndex((b) => b.lastOffset >= offset);
  if (start < 0) return { bytes: Buffer.alloc(0), nextOffset: offset };
  const parts = [model[start]!];
  let size = parts[0]!.bytes.length;
  for (let i = start + 1; i < model.length && model[i]!.baseOffset < segmentEnd && size + model[i]!.bytes.length <= maxBytes; i++) {
    parts.push(model[i]!);
    size += model[i]!.bytes.length;
  }
  return { bytes: Buffer.concat(parts.map((p) => p.bytes)), nextOffset: parts.at(-1)!.lastOffset + 1n };
}

function segmentEndFor(log: PartitionLog, offset: bigint): bigint {
  return log.segmentInfos().find((s) => s.nextOffset > offset)?.nextOffset ?? log.logEndOffset;
}

function expectSlice(slice: LogSlice, expected: { bytes: Buffer; nextOffset: bigint }, what: string): void {
  if (!slice.records.equals(expected.bytes)) throw new Error(`${what}: ${slice.records.length} bytes served, ${expected.bytes.length} expected, or different bytes`);
  expect(slice.nextOffset, what).toBe(expected.nextOffset);
}

/** Lets setImmediate callbacks (read-ahead starts) run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('readSlice against a model', () => {
  type Op =
    | { kind: 'append'; seq: number; big: boolean; count: number }
    | { kind: 'readOn'; reader: number; maxBytes: number; hold: boolean }
    | { kind: 'readAt'; at: number; maxBytes: number }
    | { kind: 'roll' }
    | { kind: 'failedWrite'; seq: number }
    | { kind: 'checkHeld' }
    | { kind: 'reopen' };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    // Sometimes many at once: readers then have a backlog, where read-aheads start.
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), seq: fc.nat(500), big: fc.boolean(), count: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 30 })) }) },
    // Small limits often: read-aheads start only when a whole read's worth lies ahead.
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('readOn' as const), reader: fc.nat(2), maxBytes: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 4_000 })), hold: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('readAt' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), maxBytes: fc.integer({ min: 1, max: 4_000 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('failedWrite' as const), seq: fc.nat(500) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'checkHeld' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  );

  it('serves what read always served, to readers going on and to random reads, with held slices intact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 100, size: 'max' }), fc.integer({ min: 800, max: 20_000 }), fc.constantFrom(0, 3_000, 64 * 1024), async (ops, segmentBytes, aheadBudget) => {
        const dir = freshDir();
        const config = topicConfig({ 'segment.bytes': String(segmentBytes) });
        const readBuffers = pooled();
        const readAhead = new ReadAhead(aheadBudget);
        let fs = new FaultyFileSystem();
        let log = await PartitionLog.open({ dir, config, fs, readBuffers, readAhead });
        const model: ExpectedBatch[] = [];
        const readers = [0n, 0n, 0n];
        const held: { slice: LogSlice; copy: Buffer }[] = [];
        const checkHeld = () => {
          for (const h of held.splice(0)) {
            if (!h.slice.records.equals(h.copy)) throw new Error('a held slice changed before it was released');
            h.slice.release();
          }
        };
        try {
          for (const op of ops) {
            switch (op.kind) {
              case 'append': {
                for (let i = 0; i < op.count; i++) {
                  // Big batches (several KiB) are larger than most maxBytes: the "at least one batch" rule.
                  const seq = op.seq + i;
                  const batch = op.big && i === 0 ? makeBatch(seq, 1_000 + seq * 7) : makeBatch(seq);
                  const result = await log.append(Buffer.from(batch));
                  model.push({ seq, baseOffset: result.baseOffset, lastOffset: result.lastOffset, bytes: expectedStream(1, result.baseOffset, () => batch)[0]!.bytes });
                }
                break;
              }
              case 'readOn': {
                const offset = readers[op.reader]!;
                const slice = await log.readSlice(offset, op.maxBytes);
                expectSlice(slice, expectedRead(model, offset, op.maxBytes, segmentEndFor(log, offset)), `reader ${op.reader} at ${offset}, maxBytes ${op.maxBytes}`);
                readers[op.reader] = slice.nextOffset;
                if (op.hold) held.push({ slice, copy: Buffer.from(slice.records) });
                else slice.release();
                await turn();
                break;
              }
              case 'readAt': {
                const offset = BigInt(Math.floor(op.at * Number(log.logEndOffset)));
                const slice = await log.readSlice(offset, op.maxBytes);
                expectSlice(slice, expectedRead(model, offset, op.maxBytes, segmentEndFor(log, offset)), `read at ${offset}, maxBytes ${op.maxBytes}`);
                slice.release();
                break;
              }
              case 'roll':
                await log.rollNow();
                break;
              case 'failedWrite':
                // The log cuts the file back after a failed write: cursors and read-aheads must not
                // outlive that. The roll first makes the append's data write the next write (it
                // does not roll an empty segment, whose indexes would be written first).
                await log.rollNow();
                fs.failNextWrite(7);
                await expect(log.append(makeBatch(op.seq))).rejects.toThrow();
                break;
              case 'checkHeld':
                checkHeld();
                break;
              case 'reopen':
                checkHeld();
                await log.close();
                fs = new FaultyFileSystem();
                log = await PartitionLog.open({ dir, config, fs, readBuffers, readAhead });
                break;
            }
          }
          checkHeld();
          // Whatever was read ahead and not taken is dropped with the log; nothing is left charged.
          await log.close();
          expect(readAhead.bytes).toBe(0);
        } finally {
          await log.close().catch(() => {});
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('readSlice edges', () => {
  /** A log holding batches 0..n-1 of the test stream (1 to 3 records each). */
  async function logWith(n: number, options: { config?: TopicConfig; readAhead?: ReadAhead | null } = {}): Promise<{ log: PartitionLog; stream: ExpectedBatch[] }> {
    const log = await PartitionLog.open({ dir: freshDir(), config: options.config ?? topicConfig(), readBuffers: pooled(), readAhead: options.readAhead ?? null });
    for (let seq = 0; seq < n; seq++) await log.append(makeBatch(seq));
    return { log, stream: expectedStream(n) };
  }

  it('starting mid-batch, serves from the batch that holds the offset', async () => {
    const { log, stream } = await logWith(30);
    try {
      const holder = stream.find((b) => b.lastOffset > b.baseOffset && b.baseOffset > 10n)!;
      const slice = await log.readSlice(holder.baseOffset + 1n, 1 << 20);
      expect(slice.records.subarray(0, holder.bytes.length).equals(holder.bytes)).toBe(true);
      expect(slice.nextOffset).toBe(log.logEndOffset);
      // Going on from there reads the end of the log: nothing.
      expect((await log.readSlice(slice.nextOffset, 1 << 20)).records.length).toBe(0);
    } finally {
      await log.close();
    }
  });

  it('with maxBytes below the first batch, serves that batch alone, one by one', async () => {
    const { log, stream } = await logWith(12);
    try {
      let offset = 0n;
      for (const batch of stream) {
        const slice = await log.readSlice(offset, 1);
        expect(slice.records.equals(batch.bytes)).toBe(true);
        offset = slice.nextOffset;
        slice.release();
      }
      expect(offset).toBe(log.logEndOffset);
    } finally {
      await log.close();
    }
  });

  it('a batch larger than the read the previous one ended with is read whole', async () => {
    const log = await PartitionLog.open({ dir: freshDir(), config: topicConfig(), readBuffers: pooled(), readAhead: null });
    try {
      const small = buildBatch([{ value: Buffer.alloc(10, 1) }]);
      const big = buildBatch([{ value: Buffer.alloc(5_000, 2) }]);
      await log.append(Buffer.from(small));
      await log.append(Buffer.from(big));
      // The first read (maxBytes 200) sees the big batch's header past the small one, so the
      // next one knows its size; with maxBytes 100 it must still come back whole.
      const first = await log.readSlice(0n, 200);
      expect(first.nextOffset).toBe(1n);
      const second = await log.readSlice(1n, 100);
      expect(second.records.length).toBe(big.length);
      expect(second.nextOffset).toBe(2n);
    } finally {
      await log.close();
    }
  });

  it('at a segment boundary, serves the next segment; a reader going on crosses rolls one segment at a time', async () => {
    const { log } = await logWith(10);
    try {
      await log.rollNow();
      for (let seq = 10; seq < 20; seq++) await log.append(makeBatch(seq));
      await log.rollNow();
      for (let seq = 20; seq < 25; seq++) await log.append(makeBatch(seq));
      const all = expectedStream(25);
      const [first, second] = log.segmentInfos();
      // Right at the boundary: the new segment's first batch.
      const atBoundary = await log.readSlice(first!.nextOffset, 1);
      expect(atBoundary.records.equals(all[10]!.bytes)).toBe(true);
      // A reader with room for everything still gets one segment per read.
      const ends: bigint[] = [];
      let offset = 0n;
      const served: Buffer[] = [];
      while (offset < log.logEndOffset) {
        const slice = await log.readSlice(offset, 1 << 20);
        served.push(Buffer.from(slice.records));
        offset = slice.nextOffset;
        ends.push(offset);
        slice.release();
      }
      expect(ends).toEqual([first!.nextOffset, second!.nextOffset, log.logEndOffset]);
      expect(Buffer.concat(served).equals(Buffer.concat(all.map((b) => b.bytes)))).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('a reader at the end of the active segment gets what is appended after', async () => {
    const { log } = await logWith(3);
    try {
      const slice = await log.readSlice(0n, 1 << 20);
      expect(slice.nextOffset).toBe(log.logEndOffset);
      expect((await log.readSlice(slice.nextOffset, 1 << 20)).records.length).toBe(0);
      await log.append(makeBatch(3));
      const more = await log.readSlice(slice.nextOffset, 1 << 20);
      expect(more.records.equals(expectedStream(4)[3]!.bytes)).toBe(true);
    } finally {
      await log.close();
    }
  });
});

describe('read-ahead', () => {
  const READ = 2_000;

  async function longLog(readAhead: ReadAhead, fs?: FaultyFileSystem): Promise<PartitionLog> {
    const log = await PartitionLog.open({ dir: freshDir(), config: topicConfig(), readBuffers: pooled(), readAhead, ...(fs ? { fs } : {}) });
    for (let seq = 0; seq < 200; seq++) await log.append(makeBatch(seq));
    return log;
  }

  it('starts the next read of a reader going on, which that read then takes', async () => {
    const readAhead = new ReadAhead();
    const log = await longLog(readAhead);
    try {
      const expected = expectedStream(200);
      let offset = 0n;
      const served: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        const slice = await log.readSlice(offset, READ);
        served.push(Buffer.from(slice.records));
        offset = slice.nextOffset;
        slice.release();
        await turn();
        // A full read's worth lies ahead: it is being read now.
        expect(readAhead.bytes).toBeGreaterThanOrEqual(READ);
      }
      const next = await log.readSlice(offset, READ);
      expect(readAhead.bytes).toBe(0);
      served.push(Buffer.from(next.records));
      const all = Buffer.concat(expected.map((b) => b.bytes));
      expect(Buffer.concat(served).equals(all.subarray(0, Buffer.concat(served).length))).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('is not started near the end of the log, nor beyond its budget', async () => {
    const tight = new ReadAhead(READ - 1);
    const log = await longLog(tight);
    try {
      await log.readSlice(0n, READ);
      await turn();
      expect(tight.bytes).toBe(0);
      const near = await log.readSlice(log.logEndOffset - 3n, READ);
      expect(near.nextOffset).toBe(log.logEndOffset);
      await turn();
      expect(tight.bytes).toBe(0);
    } finally {
      await log.close();
    }
  });

  it('is dropped when the segment is cut back after a failed write, and closing waits for none', async () => {
    const readAhead = new ReadAhead();
    const fs = new FaultyFileSystem();
    const log = await longLog(readAhead, fs);
    try {
      const slice = await log.readSlice(0n, READ);
      await turn();
      expect(readAhead.bytes).toBeGreaterThan(0);
      fs.failNextWrite(5);
      await expect(log.append(makeBatch(999))).rejects.toThrow();
      expect(readAhead.bytes).toBe(0);
      const next = await log.readSlice(slice.nextOffset, READ);
      expect(next.records.length).toBeGreaterThan(0);
      expect(next.records.readBigInt64BE(0)).toBe(slice.nextOffset);
      await turn();
      expect(readAhead.bytes).toBeGreaterThan(0);
    } finally {
      await log.close();
    }
    expect(readAhead.bytes).toBe(0);
  });

  it('gives way when stale: a reader that went away does not hold the budget', async () => {
    let now = 0;
    const readAhead = new ReadAhead(READ, 1_000, () => now);
    const log = await longLog(readAhead);
    try {
      const gone = await log.readSlice(0n, READ);
      await turn();
      expect(readAhead.bytes).toBe(READ);
      // Another reader, elsewhere: no room while the first read-ahead is fresh...
      const other = await log.readSlice(100n, READ);
      await turn();
      expect(readAhead.bytes).toBe(READ);
      // ...and room once it is stale.
      now += 1_001;
      const again = await log.readSlice(other.nextOffset, READ);
      await turn();
      expect(readAhead.bytes).toBe(READ);
      // The first reader comes back: its read-ahead was dropped, its read is still right.
      const back = await log.readSlice(gone.nextOffset, READ);
      expect(back.records.readBigInt64BE(0)).toBe(gone.nextOffset);
      expect(again.records.readBigInt64BE(0)).toBe(other.nextOffset);
    } finally {
      await log.close();
    }
  });
});

describe('ReadBufferPool', () => {
  it('reuses a buffer once released, never before', () => {
    const pool = new ReadBufferPool({ minBytes: 1 });
    const a = pool.acquire(1_000);
    const b = pool.acquire(1_000);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    a.release();
    a.release(); // a second release must not hand the buffer out twice
    const c = pool.acquire(900);
    const d = pool.acquire(900);
    expect(c.bytes.buffer).toBe(a.bytes.buffer);
    expect(d.bytes.buffer).not.toBe(a.bytes.buffer);
    expect(c.bytes.length).toBe(900);
  });

  it('keeps at most maxFreeBytes idle, and leaves small reads to fresh buffers', () => {
    const pool = new ReadBufferPool({ minBytes: 1_024, maxFreeBytes: 4_096 });
    const small = pool.acquire(100);
    small.release();
    expect(pool.idleBytes).toBe(0);
    const held = [1, 2, 3].map(() => pool.acquire(2_048));
    for (const h of held) h.release();
    expect(pool.idleBytes).toBe(4_096);
  });
});
