import { TidelogError } from '../errors.js';

/**
 * The bound on buffered bytes (Kafka's buffer.memory): the encoded size of every record the
 * producer holds, from append until its batch is acknowledged or fails, batch headers included.
 *
 * Sends take turns in arrival order: while one waits for space, later sends queue behind it
 * (as in Kafka's BufferPool), so a blocked send is never overtaken and per-partition order holds
 * across calls. A woken send owns the turn until it finishes appending or waits again (at the
 * head of the queue). Each wait is bounded by maxBlockMs; it then rejects with
 * REQUEST_TIMED_OUT. One timer per waiting send, none on the path where space is free.
 */

interface Waiter {
  owner: object;
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

export class BufferMemory {
  /** Bytes held now; never above `limit`. */
  used = 0;
  private readonly waiters: Waiter[] = [];
  private turn: object | null = null;

  constructor(
    readonly limit: number,
    private readonly maxBlockMs: number,
    /** Called when a send starts waiting: everything buffered should go out now. */
    private readonly onPressure: () => void,
  ) {}

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Whether `owner` may append now without overtaking a waiting send. */
  mayAppend(owner: object): boolean {
    return this.turn === owner || (this.turn === null && this.waiters.length === 0);
  }

  /** Bytes `owner` may take now: none while it would overtake a waiting send. */
  available(owner: object): number {
    return this.mayAppend(owner) ? this.limit - this.used : 0;
  }

  /** Takes bytes within what `available` allowed. */
  take(bytes: number): void {
    this.used += bytes;
  }

  /**
   * Waits until `owner` has the turn and `bytes` fit (at the head of the queue if it had the
   * turn, else at the tail). Rejects after maxBlockMs.
   */
  wait(owner: object, bytes: number): Promise<void> {
    const resumed = this.turn === owner;
    if (resumed) this.turn = null;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { owner, bytes, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new TidelogError(
            'REQUEST_TIMED_OUT',
            `waited ${this.maxBlockMs} ms (maxBlockMs) for buffer space: ${this.used} of ${this.limit} bytes (bufferMemory) are held by unacknowledged records`,
          ),
        );
        this.wakeNext();
      }, this.maxBlockMs);
      if (resumed) this.waiters.unshift(waiter);
      else this.waiters.push(waiter);
      this.onPressure();
      this.wakeNext();
    });
  }

  /** `owner` has appended everything it had: the next waiter may go. */
  release(owner: object): void {
    if (this.turn === owner) this.turn = null;
    this.wakeNext();
  }

  /** Bytes of acknowledged or failed records leave the buffer. */
  free(bytes: number): void {
    this.used -= bytes;
    this.wakeNext();
  }

  /** Rejects every waiter (the producer closed under them). */
  failAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private wakeNext(): void {
    const head = this.waiters[0];
    if (this.turn !== null || head === undefined || this.used + head.bytes > this.limit) return;
    this.waiters.shift();
    clearTimeout(head.timer);
    this.turn = head.owner;
    head.resolve();
  }
}
