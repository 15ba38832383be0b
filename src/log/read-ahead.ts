import type { ReadBuffer, ReadBuffers } from './read-buffers.js';

/**
 * Read-ahead for consumers reading a partition on. When a fetch's read ends where a full
 * read's worth more is already written, the next read starts as soon as the response is on
 * its way, into a pooled buffer, so that it runs while the response travels and the
 * consumer handles it; the consumer's next fetch then finds its bytes waiting instead of
 * going to the file. Measured on 2 cores shared with the consumer: 5-10% more fetch
 * throughput with our client's Connection; the more the consumer does per response, the
 * more of the read it hides.
 *
 * What comes back is what a read at that moment would return: segment bytes below the
 * size are never rewritten (a segment cut back drops its read-aheads), and a read-ahead is
 * used only if it covers every byte the new read would read.
 *
 * Bounded: at most `maxBytes` are read ahead at once, over the process. One not taken
 * within `staleMs` (its consumer went away or slowed down) gives way to a new one; while
 * the budget holds only fresh ones, no new read-ahead starts.
 */
export class ReadAhead {
  private used = 0;
  /** Started and not yet taken or dropped, oldest first. */
  private readonly live = new Set<AheadRead>();

  constructor(
    readonly maxBytes = 16 * 1024 * 1024,
    readonly staleMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Bytes read ahead and not yet taken. */
  get bytes(): number {
    return this.used;
  }

  /** Starts a read of `length` bytes through `read` into a buffer from `buffers`, if the budget allows. */
  start(length: number, buffers: ReadBuffers, read: (into: Buffer) => Promise<number>): AheadRead | null {
    if (this.used + length > this.maxBytes) this.dropStale();
    if (this.used + length > this.maxBytes) return null;
    this.used += length;
    const ahead = new AheadRead(buffers.acquire(length), read, this.now(), (a) => {
      this.live.delete(a);
      this.used -= length;
    });
    this.live.add(ahead);
    return ahead;
  }

  private dropStale(): void {
    const before = this.now() - this.staleMs;
    for (const ahead of this.live) {
      if (ahead.startedAt > before) return;
      ahead.drop();
    }
  }
}

/** One read-ahead: taken by the read it was for, or dropped. */
export class AheadRead {
  /** The bytes read (fewer than asked at the end of the file), or null if the read failed. Never rejects. */
  private readonly done: Promise<Buffer | null>;
  private finished = false;

  constructor(
    private readonly buffer: ReadBuffer,
    read: (into: Buffer) => Promise<number>,
    readonly startedAt: number,
    private readonly onFinish: (ahead: AheadRead) => void,
  ) {
    this.done = read(buffer.bytes).then(
      (count) => buffer.bytes.subarray(0, count),
      () => null,
    );
  }

  /** Settles once the read has, whatever became of it: a file may be closed only after. */
  settled(): Promise<unknown> {
    return this.done;
  }

  /**
   * Hands over the read: its bytes once read (null if it failed), and the buffer they lie
   * in, now the taker's to release. Null if the read-ahead was dropped.
   */
  take(): { bytes: Promise<Buffer | null>; buffer: ReadBuffer } | null {
    if (!this.finish()) return null;
    return { bytes: this.done, buffer: this.buffer };
  }

  /** Gives the read-ahead up; its buffer goes back once the read into it is over. */
  drop(): void {
    if (!this.finish()) return;
    void this.done.then(() => this.buffer.release());
  }

  private finish(): boolean {
    if (this.finished) return false;
    this.finished = true;
    this.onFinish(this);
    return true;
  }
}

/** The read-ahead logs use unless told otherwise: one budget per process, shared by every partition. */
export const sharedReadAhead = new ReadAhead();
