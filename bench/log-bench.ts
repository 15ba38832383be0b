import { rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLog } from '../src/log/index.js';
import { buildBatch } from '../src/record/index.js';
import { rawReads, rawWrites } from './baselines.js';
import { medianSeconds, printTable, type Row } from './stats.js';

/**
 * The storage engine alone: append 1,000,000 records of 100 bytes in batches without
 * fsync and with a group-committed fsync, and read them back from the page cache, beside
 * plain sequential writes of the same bytes to a file, all in the same run.
 */
export const RECORDS = 1_000_000;
export const RECORDS_PER_BATCH = 1_000;
export const VALUE_BYTES = 100;
const IN_FLIGHT = 64;
const READ_MAX_BYTES = 1 << 20;

/** RECORDS records of VALUE_BYTES bytes in uncompressed batches of RECORDS_PER_BATCH, as a producer sends them. */
export function makeBatches(records = RECORDS, perBatch = RECORDS_PER_BATCH, valueBytes = VALUE_BYTES): Buffer[] {
  const value = Buffer.alloc(valueBytes, 'x');
  const batches: Buffer[] = [];
  for (let b = 0; b < records / perBatch; b++) {
    batches.push(buildBatch(Array.from({ length: perBatch }, () => ({ value })), { baseTimestamp: Date.now() }));
  }
  return batches;
}

async function appendAll(log: PartitionLog, batches: Buffer[], durable: boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await log.append(batches[next++]!, { durable });
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function readAll(log: PartitionLog): Promise<number> {
  let offset = log.logStartOffset;
  let bytes = 0;
  while (offset < log.logEndOffset) {
    const chunk = await log.read(offset, READ_MAX_BYTES);
    let pos = 0;
    let last = offset;
    while (pos < chunk.length) {
      last = chunk.readBigInt64BE(pos) + BigInt(chunk.readInt32BE(pos + 23));
      pos += chunk.readInt32BE(pos + 8) + 12;
    }
    bytes += chunk.length;
    offset = last + 1n;
  }
  return bytes;
}

export async function runLogBench(runs: number): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'tidelog-bench-'));
  try {
    const batches = makeBatches();
    const totalBytes = batches.reduce((sum, b) => sum + b.length, 0);
    const megabytes = totalBytes / 1e6;
    const row = (name: string, seconds: number, baseline: number | null): Row => ({
      name,
      recordsPerSecond: RECORDS / seconds,
      megabytesPerSecond: megabytes / seconds,
      ratio: baseline === null ? null : baseline / seconds,
    });

    process.stderr.write('log bench: raw writes... ');
    const raw = await medianSeconds(runs, () => rawWrites(join(root, 'raw'), batches), () => rm(join(root, 'raw'), { force: true }));
    const openFresh = async () => {
      await rm(join(root, 'log'), { recursive: true, force: true });
      return PartitionLog.open({ dir: join(root, 'log') });
    };
    const close = (log: PartitionLog) => log.close();
    process.stderr.write('append... ');
    const append = await medianSeconds(runs, (log) => appendAll(log, batches, false), openFresh, close);
    process.stderr.write('append+fsync... ');
    const durable = await medianSeconds(runs, (log) => appendAll(log, batches, true), openFresh, close);
    process.stderr.write('raw reads... ');
    await rawWrites(join(root, 'raw'), batches);
    const rawRead = await medianSeconds(runs, () => rawReads(join(root, 'raw'), totalBytes));
    process.stderr.write('read...\n');
    const log = await PartitionLog.open({ dir: join(root, 'log') });
    await readAll(log); // warm the page cache
    const read = await medianSeconds(runs, async () => {
      if ((await readAll(log)) !== totalBytes) throw new Error('read back a different number of bytes');
    });
    await log.close();

    const rows = [row('raw sequential file writes', raw, raw), row('append, no fsync', append, raw), row('append, fsync per group commit', durable, raw), row('raw sequential file reads, 1 MiB', rawRead, raw), row('read (page cache), 1 MiB', read, raw)];
    printTable(`Storage engine: ${RECORDS.toLocaleString()} records of ${VALUE_BYTES} B in batches of ${RECORDS_PER_BATCH}, median of ${runs} runs`, rows, 'raw writes');
    return rows;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
