import { abortReason } from '../retry.js';
import type { PartitionState } from './partition-state.js';

/**
 * Completed fetches waiting to be given out, in arrival order, and the waiters of `poll`.
 *
 * A chunk is one partition's records from one Fetch response, trimmed to whole batches. It
 * stays here until the application takes it; chunks of a paused partition are held back
 * (and keep their order), and chunks whose epoch is stale (a seek moved the partition, or it
 * was revoked) are dropped when found.
 */
export interface Chunk {
  state: PartitionState;
  epoch: number;
  /** The offset the Fetch asked from. */
  fetchOffset: bigint;
  /** The offset after the last whole batch in `records`. */
  nextOffset: bigint;
  /** Whole record batches, back to back (a view of the response). */
  records: Buffer;
  highWatermark: bigint;
}

export class FetchBuffer {
  private chunks: Chunk[] = [];
  private waiters = new Set<() => void>();

  /** Adds a chunk; the caller notifies the waiters once it has added all it has. */
  push(chunk: Chunk): void {
    chunk.state.bufferedChunks++;
    this.chunks.push(chunk);
  }

  /** Takes every chunk that may be given out now: current epoch, partition not paused. */
  take(isCurrent: (chunk: Chunk) => boolean): Chunk[] {
    if (this.chunks.length === 0) return [];
    const taken: Chunk[] = [];
    const kept: Chunk[] = [];
    for (const chunk of this.chunks) {
      if (!isCurrent(chunk)) {
        chunk.state.bufferedChunks--;
        continue;
      }
      if (chunk.state.paused) kept.push(chunk);
      else {
        chunk.state.bufferedChunks--;
        taken.push(chunk);
      }
    }
    this.chunks = kept;
    return taken;
  }

  /** Drops every buffered chunk of `state`. */
  discard(state: PartitionState): void {
    const before = this.chunks.length;
    this.chunks = this.chunks.filter((chunk) => chunk.state !== state);
    state.bufferedChunks -= before - this.chunks.length;
  }

  /** Whether some chunk could be taken (not paused). */
  get hasReady(): boolean {
    return this.chunks.some((chunk) => !chunk.state.paused);
  }

  /** Wakes every waiter: data arrived, or something else worth a look (an error, close, a rebalance). */
  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the next `notify`, or after `ms`; rejects with the signal's reason if it aborts.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(done);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        reject(abortReason(signal!));
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(done);
    });
  }
}
