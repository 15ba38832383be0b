import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionLog } from '../../src/log/index.js';
import {
  BASE_TIME,
  config,
  expectedStream,
  makeBatch,
  openLog,
  restoreDir,
  segmentBases,
  snapshotDir,
  type DirSnapshot,
  type ExpectedBatch,
} from '../helpers/log-fixtures.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

/**
 * Indexes are caches of the log. Whatever happens to the .index and .timeindex files of a
 * cleanly closed log (the case where recovery trusts the files most), every lookup must
 * give the same answer as before: either the damage is caught when the files are loaded
 * (and the segment is rescanned), or when an entry is used (StaleIndexError, then a
 * rebuild of that segment's indexes).
 */

// About twenty batches per segment and an index entry every two or three batches, so the newest batches of a segment are often not indexed.
const overrides = { 'segment.bytes': '3000', 'index.interval.bytes': '250' };
const n = 90;

let root: { dir: string; cleanup: () => Promise<void> };
let snapshot: DirSnapshot;
let stream: ExpectedBatch[];
let bases: bigint[];
/** Per segment: its batches' start positions and its file size. */
let starts: number[][];
let sizes: number[];
let endOffset: bigint;

interface Answers {
  /** Each segment's base, end, size and largest timestamp (what retention decides by). */
  segments: string;
  reads: Buffer[];
  readsWide: Buffer[];
  times: (string | null)[];
}

const T_FROM = BASE_TIME - 30;
const T_TO = BASE_TIME + n * 10 + 30;
/** Odd, so the targets fall on every residue of the 10 ms step between batches. */
const T_STEP = 3;

/** Every record's offset and timestamp, from the deterministic stream alone. */
function groundTruthForTimestamp(t: number): string | null {
  for (const batch of stream) {
    const time = BASE_TIME + batch.seq * 10 - (batch.seq % 5 === 4 ? 25 : 0);
    const count = Number(batch.lastOffset - batch.baseOffset) + 1;
    for (let i = 0; i < count; i++) if (time + i >= t) return `${batch.baseOffset + BigInt(i)}@${time + i}`;
  }
  return null;
}

async function answers(log: PartitionLog): Promise<Answers> {
  // First, before any lookup has had a chance to rebuild an index.
  const segments = JSON.stringify(log.segmentInfos().map((s) => [String(s.baseOffset), String(s.nextOffset), s.size, s.maxTimestamp]));
  const reads: Buffer[] = [];
  const readsWide: Buffer[] = [];
  for (let offset = 0n; offset <= endOffset; offset++) {
    reads.push(Buffer.from(await log.read(offset, 1)));
    if (offset % 4n === 0n) readsWide.push(Buffer.from(await log.read(offset, 700)));
  }
  const times: (string | null)[] = [];
  for (let t = T_FROM; t <= T_TO; t += T_STEP) {
    const found = await log.offsetForTimestamp(t);
    times.push(found ? `${found.offset}@${found.timestamp}` : null);
  }
  return { segments, reads, readsWide, times };
}

function expectSameAnswers(actual: Answers, expected: Answers): void {
  expect(actual.segments).toBe(expected.segments);
  for (let i = 0; i < expected.reads.length; i++) {
    if (!actual.reads[i]!.equals(expected.reads[i]!)) throw new Error(`read(${i}, 1) differs`);
  }
  for (let i = 0; i < expected.readsWide.length; i++) {
    if (!actual.readsWide[i]!.equals(expected.readsWide[i]!)) throw new Error(`read(${4 * i}, 700) differs`);
  }
  for (let i = 0; i < expected.times.length; i++) {
    if (actual.times[i] !== expected.times[i]) {
      throw new Error(`offsetForTimestamp(${T_FROM + T_STEP * i}) gave ${actual.times[i]}, expected ${expected.times[i]}`);
    }
  }
}

let expected: Answers;

const name = (base: bigint, kind: 'index' | 'timeindex') => `${base.toString().padStart(20, '0')}.${kind}`;

beforeAll(async () => {
  root = await makeScratchDir('tidelog-index-');
  const template = join(root.dir, 'template');
  const log = await openLog({ dir: template, config: config(overrides), scanPlacement: 'never' });
  for (let seq = 0; seq < n; seq++) await log.append(makeBatch(seq));
  stream = expectedStream(n);
  endOffset = log.logEndOffset;
  expect(endOffset).toBe(stream[n - 1]!.lastOffset + 1n);
  expected = await answers(log);
  await log.close();
  snapshot = await snapshotDir(template);
  bases = await segmentBases(template);
  expect(bases.length).toBeGreaterThanOrEqual(4);
  starts = bases.map(() => []);
  sizes = bases.map(() => 0);
  let s = 0;
  for (const batch of stream) {
    if (s + 1 < bases.length && batch.baseOffset >= bases[s + 1]!) s++;
    starts[s]!.push(sizes[s]!);
    sizes[s]! += batch.bytes.length;
  }
  for (let i = 0; i < bases.length; i++) expect(snapshot.get(name(bases[i]!, 'index'))!.length / 8).toBeGreaterThanOrEqual(5);
});

afterAll(async () => {
  await root.cleanup();
});

describe('the log before any damage', () => {
  it('answers every lookup as the appended data says', () => {
    for (let t = T_FROM, i = 0; t <= T_TO; t += T_STEP, i++) expect(expected.times[i]).toBe(groundTruthForTimestamp(t));
    for (const batch of stream) {
      for (let o = batch.baseOffset; o <= batch.lastOffset; o++) expect(expected.reads[Number(o)]!.equals(batch.bytes)).toBe(true);
    }
    expect(expected.reads[Number(endOffset)]!.length).toBe(0);
  });

  it('answers the same after a clean close and reopen', async () => {
    await check('untouched', () => {});
  });
});

/** Mutates the files of segment `s` in a copy of the snapshot. */
type Damage = (files: DirSnapshot, s: number) => void;

function entries(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + size <= bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, i + size)));
  return out;
}

function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

let runId = 0;

/** Applies `damage` to the segments `which` selects, reopens cleanly and compares every answer. */
async function check(label: string, damage: Damage, which: 'first' | 'active' | 'all' = 'all'): Promise<void> {
  const files: DirSnapshot = new Map([...snapshot].map(([k, v]) => [k, Buffer.from(v)]));
  const last = bases.length - 1;
  const targets = which === 'first' ? [0] : which === 'active' ? [last] : bases.map((_, i) => i);
  for (const s of targets) damage(files, s);
  const dir = join(root.dir, `run-${runId++}`);
  await restoreDir(files, dir);
  try {
    expect(files.has('.clean-shutdown'), label).toBe(true);
    const log = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
    try {
      expect(log.recoveryReport.cleanShutdown).toBe(true);
      // Damage made to pass the load-time checks must be left to the use-time ones.
      if (passesLoadChecks.has(label.replace(/ \(\w+\)$/, ''))) expect(log.recoveryReport.segmentsScanned, label).toBe(0);
      expect(log.logEndOffset, label).toBe(endOffset);
      expectSameAnswers(await answers(log), expected);
    } finally {
      await log.close();
    }
    // Whatever was rebuilt was written back: a second clean open trusts it and must answer the same.
    const again = await openLog({ dir, config: config(overrides), scanPlacement: 'never' });
    try {
      expect(again.recoveryReport.cleanShutdown).toBe(true);
      expect(again.recoveryReport.segmentsScanned, `${label}: rebuilt indexes were not trusted on the next open`).toBe(0);
      expectSameAnswers(await answers(again), expected);
      // And the log carries on: one more append lands at the end.
      const appended = await again.append(makeBatch(n));
      expect(appended.baseOffset).toBe(endOffset);
    } finally {
      await again.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const damages: Record<string, Damage> = {
  'offset index deleted': (f, s) => void f.delete(name(bases[s]!, 'index')),
  'time index deleted': (f, s) => void f.delete(name(bases[s]!, 'timeindex')),
  'both indexes deleted': (f, s) => {
    f.delete(name(bases[s]!, 'index'));
    f.delete(name(bases[s]!, 'timeindex'));
  },
  'offset index truncated mid-entry': (f, s) => {
    const k = name(bases[s]!, 'index');
    f.set(k, f.get(k)!.subarray(0, f.get(k)!.length - 3));
  },
  'offset index truncated at an entry boundary': (f, s) => {
    const k = name(bases[s]!, 'index');
    f.set(k, f.get(k)!.subarray(0, 8 * Math.floor(f.get(k)!.length / 16)));
  },
  'offset index truncated to nothing': (f, s) => void f.set(name(bases[s]!, 'index'), Buffer.alloc(0)),
  'time index truncated mid-entry': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    f.set(k, f.get(k)!.subarray(0, f.get(k)!.length - 5));
  },
  'time index missing its last entry': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    f.set(k, f.get(k)!.subarray(0, f.get(k)!.length - 12));
  },
  'time index truncated to half': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    f.set(k, f.get(k)!.subarray(0, 12 * Math.floor(f.get(k)!.length / 24)));
  },
  'time index truncated to nothing': (f, s) => void f.set(name(bases[s]!, 'timeindex'), Buffer.alloc(0)),
  'offset index full of random bytes': (f, s) => {
    const k = name(bases[s]!, 'index');
    f.set(k, pseudoRandomBytes(f.get(k)!.length, 7 + s));
  },
  'time index full of random bytes': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    f.set(k, pseudoRandomBytes(f.get(k)!.length, 11 + s));
  },
  'offset index entries going backwards': (f, s) => {
    const k = name(bases[s]!, 'index');
    const e = entries(f.get(k)!, 8);
    [e[1], e[2]] = [e[2]!, e[1]!];
    f.set(k, Buffer.concat(e));
  },
  'time index entries going backwards': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    expect(e.length).toBeGreaterThanOrEqual(3);
    [e[0], e[1]] = [e[1]!, e[0]!];
    f.set(k, Buffer.concat(e));
  },
  'offset index positions past the end of the log': (f, s) => {
    const k = name(bases[s]!, 'index');
    const e = entries(f.get(k)!, 8);
    const lastEntry = e[e.length - 1]!;
    lastEntry.writeInt32BE(sizes[s]! + 100, 4);
    f.set(k, Buffer.concat(e));
  },
  'offset index with an extra entry past the end': (f, s) => {
    const k = name(bases[s]!, 'index');
    const extra = Buffer.alloc(8);
    extra.writeInt32BE(0x7ffffff0, 0);
    extra.writeInt32BE(sizes[s]! + 10, 4);
    f.set(k, Buffer.concat([f.get(k)!, extra]));
  },
  'offset index: plausible increasing entries at non-batch positions (last entry genuine)': (f, s) => {
    // Passes every check made at load: offsets and positions increase, positions lie inside
    // the file, and the last entry is the true one. Only using an entry shows it is wrong.
    const k = name(bases[s]!, 'index');
    const e = entries(f.get(k)!, 8);
    for (let i = 0; i < e.length - 1; i++) e[i]!.writeInt32BE(e[i]!.readInt32BE(4) + 1 + (i % 5), 4);
    f.set(k, Buffer.concat(e));
  },
  'offset index: entries pointing at the previous batch (last entry genuine)': (f, s) => {
    const k = name(bases[s]!, 'index');
    const e = entries(f.get(k)!, 8);
    const segStarts = starts[s]!;
    for (let i = 0; i < e.length - 1; i++) {
      const position = e[i]!.readInt32BE(4);
      const j = segStarts.indexOf(position);
      expect(j).toBeGreaterThanOrEqual(0);
      if (j > 0 && (i === 0 || segStarts[j - 1]! > e[i - 1]!.readInt32BE(4))) e[i]!.writeInt32BE(segStarts[j - 1]!, 4);
    }
    f.set(k, Buffer.concat(e));
  },
  'offset index: offsets off by one (last entry genuine)': (f, s) => {
    const k = name(bases[s]!, 'index');
    const e = entries(f.get(k)!, 8);
    for (let i = 0; i < e.length - 1; i++) e[i]!.writeInt32BE(e[i]!.readInt32BE(0) - 1, 0);
    f.set(k, Buffer.concat(e));
  },
  'time index: plausible entries with later timestamps': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    for (let i = 0; i < e.length; i++) e[i]!.writeBigInt64BE(e[i]!.readBigInt64BE(0) + 7n, 0);
    f.set(k, Buffer.concat(e));
  },
  'time index: plausible entries with earlier timestamps': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    for (let i = 0; i < e.length; i++) e[i]!.writeBigInt64BE(e[i]!.readBigInt64BE(0) - 7n, 0);
    f.set(k, Buffer.concat(e));
  },
  'time index: plausible entries at later offsets': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    for (let i = 0; i < e.length; i++) e[i]!.writeInt32BE(e[i]!.readInt32BE(8) + 2, 8);
    f.set(k, Buffer.concat(e));
  },
  'time index: earlier entries with earlier timestamps (last entry genuine)': (f, s) => {
    // Passes every check made at load, as only the last entry can be checked there cheaply.
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    expect(e.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < e.length - 1; i++) e[i]!.writeBigInt64BE(e[i]!.readBigInt64BE(0) - 30n, 0);
    f.set(k, Buffer.concat(e));
  },
  'time index: earlier entries at the next entry’s offset (last entry genuine)': (f, s) => {
    const k = name(bases[s]!, 'timeindex');
    const e = entries(f.get(k)!, 12);
    for (let i = 0; i < e.length - 1; i++) e[i]!.writeInt32BE(e[i + 1]!.readInt32BE(8), 8);
    f.set(k, Buffer.concat(e));
  },
  'both indexes swapped with another segment’s': (f, s) => {
    const other = s === 0 ? 1 : 0;
    for (const kind of ['index', 'timeindex'] as const) f.set(name(bases[s]!, kind), Buffer.from(snapshot.get(name(bases[other]!, kind))!));
  },
};

/** Damage that passes every check made when the files are loaded; only using an entry finds it. */
const passesLoadChecks = new Set([
  'offset index: plausible increasing entries at non-batch positions (last entry genuine)',
  'offset index: entries pointing at the previous batch (last entry genuine)',
  'offset index: offsets off by one (last entry genuine)',
  'time index: earlier entries with earlier timestamps (last entry genuine)',
  'time index: earlier entries at the next entry’s offset (last entry genuine)',
]);

describe('damaged indexes after a clean shutdown', () => {
  for (const [label, damage] of Object.entries(damages)) {
    it(label, async () => {
      for (const which of ['first', 'active', 'all'] as const) await check(`${label} (${which})`, damage, which);
    });
  }
});
