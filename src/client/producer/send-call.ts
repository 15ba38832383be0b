import type { Slice } from './batch.js';

/**
 * One call to `send` or `sendBatch`, settled once: when the last batch holding its records is
 * acknowledged (or fails), and not before the call has appended all of them. A call counts its
 * unsettled slices (its runs of records in batches); records themselves carry no promise, no
 * callback and no timer.
 */

/** A contiguous run of one call's records in one partition. */
export interface ProducedRange {
  topic: string;
  partition: number;
  /** Offset of the run's first record; -1n with acks=0. */
  baseOffset: bigint;
  count: number;
}

export class SendCall {
  readonly slices: Slice[] = [];
  private unsettled = 0;
  /** Still appending: can't settle even if every slice so far is acknowledged. */
  private appending = true;
  private failure: unknown = undefined;
  private settled = false;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;

  constructor(
    readonly topic: string,
    /** For `send`: each message's slice (index into `slices`) and offset delta in its batch. */
    readonly perMessage: { slice: Int32Array; delta: Int32Array } | null,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  addSlice(slice: Slice): void {
    slice.index = this.slices.length;
    this.slices.push(slice);
    this.unsettled++;
  }

  /** A batch holding `slice` was acknowledged. */
  sliceDone(): void {
    this.unsettled--;
    this.maybeSettle();
  }

  /** A batch holding a slice failed for good: the call rejects (with the first error) once nothing of it is pending. */
  sliceFailed(error: unknown): void {
    this.failure ??= error;
    this.unsettled--;
    this.maybeSettle();
  }

  /** Every record is appended. */
  finishAppending(): void {
    this.appending = false;
    this.maybeSettle();
  }

  /**
   * The call stopped appending with `error`: it rejects now, not once its appended records are
   * settled (those are still delivered, or fail, unreported). For maxBlockMs, whose point is
   * not to wait, and a producer closed under a waiting send.
   */
  abandon(error: unknown): void {
    this.failure ??= error;
    this.appending = false;
    if (this.settled) return;
    this.settled = true;
    this.reject(this.failure);
  }

  /** The call's runs of records, adjacent runs of a partition merged. */
  ranges(): ProducedRange[] {
    const out: ProducedRange[] = [];
    const last = new Map<number, ProducedRange>();
    for (const { batch, firstDelta, count } of this.slices) {
      const baseOffset = batch.baseOffset < 0n ? -1n : batch.baseOffset + BigInt(firstDelta);
      const previous = last.get(batch.partition);
      if (previous && (baseOffset < 0n ? previous.baseOffset < 0n : previous.baseOffset + BigInt(previous.count) === baseOffset)) {
        previous.count += count;
        continue;
      }
      const range = { topic: batch.topic, partition: batch.partition, baseOffset, count };
      last.set(batch.partition, range);
      out.push(range);
    }
    return out;
  }

  private maybeSettle(): void {
    if (this.settled || this.appending || this.unsettled > 0) return;
    this.settled = true;
    if (this.failure !== undefined) this.reject(this.failure);
    else this.resolve();
  }
}
