import { join } from 'node:path';
import { BATCH_LENGTH, LOG_OVERHEAD } from '../record/index.js';
import { unlinkDurably, writeFileAtomically } from './atomic-file.js';
import { CLEAN_SHUTDOWN_FILE, parseSegmentFileName, RECOVERY_POINT_FILE, segmentPath, TEMP_SUFFIX } from './file-names.js';
import { realFileSystem, type FileSystem } from './fs.js';
import { scanSegment, type ScanResult } from './scan.js';
import { scanInWorker } from './scan-pool.js';
import { LogSegment } from './segment.js';

/** Where verification of a segment runs: 'auto' sends segments of 1 MiB or more to the worker pool. */
export type ScanPlacement = 'auto' | 'always' | 'never';

/** What opening a log found and did, so that nothing it cut goes unreported. */
export interface RecoveryReport {
  cleanShutdown: boolean;
  /** The checkpointed offset below which data was known to be flushed. */
  recoveryPoint: bigint;
  segmentsLoaded: number;
  segmentsScanned: number;
  scannedInWorkers: number;
  indexesRebuilt: number;
  truncatedBytes: number;
  /** Batches (whole or torn) in the bytes that were cut or deleted. */
  lostBatches: number;
  deletedSegments: number;
  /** The first damage found, if any. */
  problem: { baseOffset: bigint; position: number; reason: string } | null;
}

export interface LoadOptions {
  fs: FileSystem;
  dir: string;
  indexIntervalBytes: number;
  scanPlacement: ScanPlacement;
  now: number;
}

const WORKER_SCAN_MIN_BYTES = 1 << 20;

export async function readRecoveryPoint(fs: FileSystem, dir: string): Promise<bigint> {
  const path = join(dir, RECOVERY_POINT_FILE);
  if (!(await fs.exists(path))) return 0n;
  const text = (await fs.readFile(path)).toString('utf8').trim();
  return /^\d+$/.test(text) ? BigInt(text) : 0n;
}

export function writeRecoveryPoint(fs: FileSystem, dir: string, offset: bigint): Promise<void> {
  return writeFileAtomically(fs, join(dir, RECOVERY_POINT_FILE), Buffer.from(`${offset}\n`));
}

export function writeCleanShutdownMarker(fs: FileSystem, dir: string): Promise<void> {
  return writeFileAtomically(fs, join(dir, CLEAN_SHUTDOWN_FILE), Buffer.alloc(0));
}

/** Counts batches in a byte range by their length fields alone, for the report. */
async function countBatches(segment: LogSegment, from: number, to: number): Promise<number> {
  const header = Buffer.allocUnsafe(LOG_OVERHEAD);
  let count = 0;
  for (let position = from; position < to && count < 1_000_000; count++) {
    if ((await segment.readAt(header, LOG_OVERHEAD, position)) < LOG_OVERHEAD) return count + 1;
    const length = header.readInt32BE(BATCH_LENGTH);
    if (length <= 0) return count + 1;
    position += length + LOG_OVERHEAD;
  }
  return count;
}

/** Removes leftovers of interrupted writes: temp files and indexes without a log. */
async function removeLeftovers(fs: FileSystem, dir: string, names: string[]): Promise<bigint[]> {
  const bases = new Set<bigint>();
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.kind === 'log') bases.add(parsed.baseOffset);
  }
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (name.endsWith(TEMP_SUFFIX) || (parsed && parsed.kind !== 'log' && !bases.has(parsed.baseOffset))) await fs.unlink(join(dir, name));
  }
  return [...bases].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Opens a partition directory. After a clean shutdown it trusts the files and only checks
 * the indexes; otherwise it verifies every segment from the one holding the recovery point
 * on, cuts the log at the first invalid byte, deletes everything after it, and rebuilds
 * the indexes of whatever it scanned.
 */
export async function loadSegments(options: LoadOptions): Promise<{ segments: LogSegment[]; report: RecoveryReport }> {
  const { fs, dir } = options;
  await fs.mkdirp(dir);
  const bases = await removeLeftovers(fs, dir, await fs.readdir(dir));
  const cleanShutdown = await fs.exists(join(dir, CLEAN_SHUTDOWN_FILE));
  const recoveryPoint = await readRecoveryPoint(fs, dir);
  const report: RecoveryReport = {
    cleanShutdown,
    recoveryPoint,
    segmentsLoaded: bases.length,
    segmentsScanned: 0,
    scannedInWorkers: 0,
    indexesRebuilt: 0,
    truncatedBytes: 0,
    lostBatches: 0,
    deletedSegments: 0,
    problem: null,
  };

  const segments: LogSegment[] = [];
  const needsScan: boolean[] = [];
  for (const base of bases) {
    const { segment, indexProblem } = await LogSegment.load(fs, dir, base, options.indexIntervalBytes);
    segments.push(segment);
    needsScan.push(indexProblem !== null);
  }
  if (segments.length === 0) {
    segments.push(await LogSegment.create(fs, dir, 0n, options.indexIntervalBytes));
    needsScan.push(false);
  }

  const last = segments.length - 1;
  if (cleanShutdown) {
    const next = needsScan[last] ? null : await segments[last]!.findNextOffset();
    if (next === null) needsScan[last] = true;
    else segments[last]!.nextOffset = next;
  } else {
    let from = segments.findLastIndex((s) => s.baseOffset <= recoveryPoint);
    if (from < 0) from = 0;
    for (let i = from; i <= last; i++) needsScan[i] = true;
  }

  const scans = await Promise.all(segments.map((segment, i) => (needsScan[i] ? scan(segment, options, report) : null)));

  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const result = scans[i];
    if (result) {
      report.segmentsScanned++;
      report.indexesRebuilt++;
      if (result.problem) {
        report.problem ??= { baseOffset: segment.baseOffset, position: result.validBytes, reason: result.problem };
        report.truncatedBytes += segment.size - result.validBytes;
        report.lostBatches += await countBatches(segment, result.validBytes, segment.size);
      }
      await segment.adoptScan(result);
    } else if (i < last) {
      segment.nextOffset = segments[i + 1]!.baseOffset;
    }
    const following = segments[i + 1];
    const broken = result?.problem || (following && following.baseOffset !== segment.nextOffset);
    if (broken && following) {
      report.problem ??= { baseOffset: following.baseOffset, position: 0, reason: 'offset-gap' };
      for (const doomed of segments.splice(i + 1)) {
        report.deletedSegments++;
        report.truncatedBytes += doomed.size;
        report.lostBatches += await countBatches(doomed, 0, doomed.size);
        await doomed.delete();
      }
      break;
    }
  }

  const active = segments[segments.length - 1]!;
  active.rollBasisMs = active.isEmpty ? null : options.now;
  if (!cleanShutdown || report.segmentsScanned > 0) await writeRecoveryPoint(fs, dir, active.nextOffset);
  await unlinkDurably(fs, join(dir, CLEAN_SHUTDOWN_FILE));
  return { segments, report };
}

async function scan(segment: LogSegment, options: LoadOptions, report: RecoveryReport): Promise<ScanResult> {
  const request = { size: segment.size, baseOffset: segment.baseOffset, indexIntervalBytes: options.indexIntervalBytes };
  const inWorker =
    options.fs === realFileSystem &&
    (options.scanPlacement === 'always' || (options.scanPlacement === 'auto' && segment.size >= WORKER_SCAN_MIN_BYTES));
  if (inWorker) {
    report.scannedInWorkers++;
    return scanInWorker({ ...request, path: segmentPath(options.dir, segment.baseOffset, 'log') });
  }
  return scanSegment((buffer, length, position) => segment.readAt(buffer, length, position), request);
}
