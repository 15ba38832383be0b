import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyFileSystem, type CrashTail } from '../../src/log/index.js';
import { BASE_TIME, config, expectedStream, makeBatch, openLog, readAllBatches, type ExpectedBatch } from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * Simulated power loss: FaultyFileSystem.crash() throws away (or tears, or keeps) whatever
 * was written after each file's last fsync. Whatever the mix of durable and acks=1 appends,
 * rolls and flushes before it, reopening over the real filesystem must show a prefix of
 * what was appended, byte for byte, holding at least everything acknowledged as durable
 * (and flushed), and carry on from its end.
 */

const overrides = { 'segment.bytes': '1000', 'index.interval.bytes': '200' };

type Op = { kind: 'burst'; count: number; durable: boolean } | { kind: 'roll' } | { kind: 'flush' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('burst' as const), count: fc.integer({ min: 1, max: 5 }), durable: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first record at or after `t` among `batches`, from the deterministic stream alone. */
function groundTruthForTimestamp(batches: ExpectedBatch[], t: number): string | null {
  for (const batch of batches) {
    const time = BASE_TIME + batch.seq * 10 - (batch.seq % 5 === 4 ? 25 : 0);
    const count = Number(batch.lastOffset - batch.baseOffset) + 1;
    for (let i = 0; i < count; i++) if (time + i >= t) return `${batch.baseOffset + BigInt(i)}@${time + i}`;
  }
  return null;
}

let root: { dir: string; cleanup: () => Promise<void> };
let runId = 0;
beforeAll(async () => {
  root = await makeScratchDir('tidelog-power-');
});
afterAll(async () => {
  await root.cleanup();
});

async function powerLossRun(ops: Op[], inFlight: number, tail: CrashTail, seed: number): Promise<void> {
  const dir = join(root.dir, `run-${runId++}`);
  const fs = new FaultyFileSystem(undefined, mulberry32(seed));
  const log = await openLog({ dir, fs, config: config(overrides), scanPlacement: 'never' });
  let seq = 0;
  let acknowledged = 0; // batches 0..acknowledged-1 are all acknowledged (each burst is awaited)
  let mustSurvive = 0; // batches that were durable, flushed or rolled past before the crash
  for (const op of ops) {
    if (op.kind === 'burst') {
      const results = [];
      for (let i = 0; i < op.count; i++) results.push(log.append(makeBatch(seq++), { durable: op.durable }));
      await Promise.all(results);
      acknowledged = seq;
      if (op.durable) mustSurvive = seq;
    } else if (op.kind === 'roll') {
      await log.rollNow();
      mustSurvive = seq;
    } else {
      await log.flush();
      mustSurvive = seq;
    }
  }
  // Appends still in flight when the power goes: they may or may not make it, but one
  // acknowledged before the crash counts like any other (writes land in order, so an
  // acknowledged append vouches for every batch before it).
  const inFlightFrom = seq;
  const pending = [];
  for (let i = 0; i < inFlight; i++) pending.push(log.append(makeBatch(seq++), { durable: i % 2 === 0 }));
  const settling = Promise.allSettled(pending);
  await fs.crash(tail);
  const settled = await settling;
  settled.forEach((s, i) => {
    if (s.status !== 'fulfilled') return;
    acknowledged = Math.max(acknowledged, inFlightFrom + i + 1);
    if (i % 2 === 0) mustSurvive = Math.max(mustSurvive, inFlightFrom + i + 1);
  });
  await log.close().catch(() => {}); // releases descriptors; the crashed filesystem refuses the rest

  const stream = expectedStream(seq);
  const reopened = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
  let served: Buffer[];
  try {
    expect(reopened.recoveryReport.cleanShutdown).toBe(false);
    served = await readAllBatches(reopened);
    expect(served.length).toBeGreaterThanOrEqual(mustSurvive);
    if (tail === 'keep-unsynced') expect(served.length).toBeGreaterThanOrEqual(acknowledged);
    expect(served.length).toBeLessThanOrEqual(seq);
    served.forEach((bytes, i) => {
      if (!bytes.equals(stream[i]!.bytes)) throw new Error(`batch ${i} is not what was appended`);
    });
    const kept = stream.slice(0, served.length);
    // The rebuilt indexes answer timestamp lookups right.
    const lastTime = BASE_TIME + seq * 10;
    for (let t = BASE_TIME - 5; t <= lastTime; t += 7) {
      const found = await reopened.offsetForTimestamp(t);
      expect(found ? `${found.offset}@${found.timestamp}` : null).toBe(groundTruthForTimestamp(kept, t));
    }
    const next = await reopened.append(makeBatch(served.length), { durable: true });
    expect(next.baseOffset).toBe(kept.length === 0 ? 0n : kept[kept.length - 1]!.lastOffset + 1n);
  } finally {
    await reopened.close();
  }
  // And the recovered log reopens cleanly to the same content.
  const again = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
  try {
    expect(again.recoveryReport.cleanShutdown).toBe(true);
    const all = await readAllBatches(again);
    expect(all.length).toBe(served.length + 1);
  } finally {
    await again.close();
  }
  await rm(dir, { recursive: true, force: true });
}

describe('simulated power loss', () => {
  for (const tail of ['lose-unsynced', 'torn', 'keep-unsynced'] as const) {
    it(`(${tail}) keeps every durable append and a valid prefix`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), fc.integer({ min: 0, max: 4 }), fc.integer(), async (ops, inFlight, seed) => {
          await powerLossRun(ops, inFlight, tail, seed);
        }),
        { numRuns: 25 },
      );
    });
  }
});
