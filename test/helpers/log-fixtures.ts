import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import { resolveTopicConfig, type TopicConfig } from '../../src/config/index.js';
import { PartitionLog, type LogOptions } from '../../src/log/index.js';
import { makeBatch, type ExpectedBatch } from './batches.js';

export { BASE_TIME, expectedStream, makeBatch, recordsIn, stamp, type ExpectedBatch } from './batches.js';

export function config(overrides: Record<string, string> = {}): TopicConfig {
  return resolveTopicConfig(overrides);
}

/** Splits a buffer of back-to-back batches, trusting length fields (the caller checks content). */
export function splitBatches(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const size = bytes.readInt32BE(pos + 8) + 12;
    if (pos + size > bytes.length) break;
    out.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  expect(pos).toBe(bytes.length);
  return out;
}

/**
 * Every batch the log serves, reading from the log start to the log end (`maxBytes` at a
 * time; 1 reads batch by batch), checking that each read starts at the asked offset and
 * that batches follow each other without gaps. Bounded by `limit` reads.
 */
export async function readAllBatches(log: PartitionLog, maxBytes = 1 << 20, limit = 100_000): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = log.logStartOffset;
  for (let i = 0; i < limit && offset < log.logEndOffset; i++) {
    const batches = splitBatches(await log.read(offset, maxBytes));
    expect(batches.length, `read(${offset}) returned nothing below the log end ${log.logEndOffset}`).toBeGreaterThan(0);
    for (const batch of batches) {
      expect(batch.readBigInt64BE(0)).toBe(offset);
      out.push(Buffer.from(batch));
      offset = batch.readBigInt64BE(0) + BigInt(batch.readInt32BE(23)) + 1n;
    }
  }
  expect(offset).toBe(log.logEndOffset);
  expect((await log.read(log.logEndOffset, 1 << 20)).length).toBe(0);
  return out;
}

/** Asserts the log serves exactly `expected` (byte for byte), from offset `expected[0].baseOffset`. */
export async function expectServes(log: PartitionLog, expected: readonly ExpectedBatch[]): Promise<void> {
  const served = await readAllBatches(log);
  expect(served.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!served[i]!.equals(expected[i]!.bytes)) {
      throw new Error(`batch ${i} (offset ${expected[i]!.baseOffset}) differs from what was appended`);
    }
  }
  const end = expected.length > 0 ? expected[expected.length - 1]!.lastOffset + 1n : log.logStartOffset;
  expect(log.logEndOffset).toBe(end);
}

/** Appends batches seq = from..to-1 one after another (not concurrently), returning their results. */
export async function appendSeq(log: PartitionLog, from: number, to: number, durable = false, makeFn: (seq: number) => Buffer = makeBatch) {
  const results = [];
  for (let seq = from; seq < to; seq++) results.push(await log.append(makeFn(seq), { durable }));
  return results;
}

export async function openLog(options: LogOptions): Promise<PartitionLog> {
  return PartitionLog.open(options);
}

/** Expects `promise` to reject with a TidelogError of `code`. */
export async function expectRejectsWith(promise: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    expect(isTidelogError(error), `expected a TidelogError, got ${String(error)}`).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return error;
  }
  throw new Error(`expected a rejection with ${code}`);
}

/** Sorted segment base offsets present in `dir` (by .log file). */
export async function segmentBases(dir: string): Promise<bigint[]> {
  return (await readdir(dir))
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => BigInt(n.slice(0, 20)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function segmentFile(dir: string, base: bigint, kind: 'log' | 'index' | 'timeindex'): string {
  return join(dir, `${base.toString().padStart(20, '0')}.${kind}`);
}

export const CLEAN_MARKER = '.clean-shutdown';
export const CHECKPOINT = 'recovery-point-offset-checkpoint';

/** Makes a cleanly closed log look like it stopped uncleanly: removes the clean-shutdown marker. */
export async function removeCleanMarker(dir: string): Promise<void> {
  await rm(join(dir, CLEAN_MARKER), { force: true });
}

/** Sets the recovery-point checkpoint, e.g. to make it lag behind the data. */
export async function setCheckpoint(dir: string, offset: bigint): Promise<void> {
  await writeFile(join(dir, CHECKPOINT), `${offset}\n`);
}

/** The files of a (flat) partition directory, kept in memory to lay down copies cheaply. */
export type DirSnapshot = Map<string, Buffer>;

export async function snapshotDir(dir: string): Promise<DirSnapshot> {
  const snapshot: DirSnapshot = new Map();
  for (const name of await readdir(dir)) snapshot.set(name, await readFile(join(dir, name)));
  return snapshot;
}

/** Writes `snapshot` into a new directory `dir`. */
export async function restoreDir(snapshot: DirSnapshot, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of snapshot) await writeFile(join(dir, name), bytes);
}

export async function truncateFile(path: string, length: number): Promise<void> {
  await truncate(path, length);
}

export async function fileBytes(path: string): Promise<Buffer> {
  return readFile(path);
}
