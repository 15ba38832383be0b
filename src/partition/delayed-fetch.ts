import type { Partition } from './partition.js';

/** Where a waiting fetch stands in one partition: it has read everything below `fromOffset`. */
export interface WaitPosition {
  partition: Partition;
  fromOffset: bigint;
}

export interface WaitForDataOptions {
  positions: readonly WaitPosition[];
  /** Bytes that must arrive at or beyond the positions, summed over partitions. */
  minBytes: number;
  maxWaitMs: number;
  /** Fires when the request is abandoned (connection closed). */
  signal?: AbortSignal;
}

/**
 * 'ready': enough bytes arrived, or something changed that the caller must read again to
 * see (data already past a position at registration, a partition deleted); the caller
 * re-reads and may wait again. 'timeout': maxWaitMs passed. 'aborted': the signal fired or
 * the broker is stopping.
 */
export type FetchWaitOutcome = 'ready' | 'timeout' | 'aborted';

/**
 * Kafka's delayed fetch (purgatory), without polling: each waiter listens to its
 * partitions, which report every acknowledged append with its size, and counts the bytes
 * that land at or beyond its positions. Whatever settles a waiter clears its timer and
 * removes its listeners, so nothing outlives it.
 */
export class DelayedFetches {
  private readonly waiting = new Set<(outcome: FetchWaitOutcome) => void>();
  private closed = false;

  /** Waiters not yet settled. */
  get size(): number {
    return this.waiting.size;
  }

  wait(options: WaitForDataOptions): Promise<FetchWaitOutcome> {
    return new Promise((resolve) => {
      if (this.closed || options.signal?.aborted) return resolve('aborted');
      // An append acknowledged between the caller's read and now told no one: look at the log ends.
      if (options.positions.some((p) => p.partition.isDeleted || p.partition.logEndOffset > p.fromOffset)) return resolve('ready');
      if (options.maxWaitMs <= 0) return resolve('timeout');

      let bytes = 0;
      let timer: NodeJS.Timeout | undefined;
      const unsubscribes: (() => void)[] = [];
      const onAbort = () => finish('aborted');
      const finish = (outcome: FetchWaitOutcome) => {
        if (!this.waiting.delete(finish)) return;
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        options.signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      this.waiting.add(finish);
      for (const { partition, fromOffset } of options.positions) {
        unsubscribes.push(
          partition.listen((event) => {
            if (event.kind === 'gone') return finish('ready');
            if (event.lastOffset < fromOffset) return;
            bytes += event.bytes;
            if (bytes >= options.minBytes) finish('ready');
          }),
        );
      }
      timer = setTimeout(() => finish('timeout'), options.maxWaitMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Settles every waiter with 'aborted' and refuses new ones: the broker is stopping. */
  close(): void {
    this.closed = true;
    for (const finish of [...this.waiting]) finish('aborted');
  }
}
