import { buildBatch, type RecordInput } from '../../src/record/index.js';

/*
 * The deterministic batch stream the log tests append. Kept free of vitest so that a child
 * process (test/crash) can build the same bytes.
 */

/** Timestamps of generated batches start here, so every one of them is a plausible CreateTime. */
export const BASE_TIME = 1_700_000_000_000;

/** Records in the `seq`-th generated batch: 1 to 3, so batches cover several offsets. */
export function recordsIn(seq: number): number {
  return 1 + (seq % 3);
}

/**
 * The `seq`-th batch of a deterministic stream, as a producer sends it (BaseOffset 0).
 * Content, size and timestamps depend on `seq` alone, so a test (or another process) can
 * rebuild the exact bytes of any batch. Timestamps mostly rise but step back now and then,
 * as real producer clocks do.
 */
export function makeBatch(seq: number, valueBytes = 16 + ((seq * 7) % 40)): Buffer {
  const count = recordsIn(seq);
  const time = BASE_TIME + seq * 10 - (seq % 5 === 4 ? 25 : 0);
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(valueBytes + i);
    for (let b = 0; b < value.length; b++) value[b] = (seq * 31 + i * 7 + b) & 0xff;
    records.push({ key: Buffer.from(`k${seq}-${i}`), value, timestamp: time + i });
  }
  return buildBatch(records, { baseTimestamp: time });
}

/** A batch as the log stores it: BaseOffset and PartitionLeaderEpoch stamped, the rest unchanged. */
export function stamp(batch: Buffer, baseOffset: bigint, leaderEpoch = 0): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(baseOffset, 0);
  copy.writeInt32BE(leaderEpoch, 12);
  return copy;
}

/** What the stream of batches 0..n-1 looks like once appended to an empty log from offset `first`. */
export interface ExpectedBatch {
  seq: number;
  baseOffset: bigint;
  lastOffset: bigint;
  bytes: Buffer;
}

export function expectedStream(n: number, first = 0n, makeFn: (seq: number) => Buffer = makeBatch): ExpectedBatch[] {
  const out: ExpectedBatch[] = [];
  let next = first;
  for (let seq = 0; seq < n; seq++) {
    const raw = makeFn(seq);
    const records = raw.readInt32BE(57);
    out.push({ seq, baseOffset: next, lastOffset: next + BigInt(records - 1), bytes: stamp(raw, next) });
    next += BigInt(records);
  }
  return out;
}

