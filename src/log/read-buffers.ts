/**
 * Buffers that large log reads go into, handed back once their bytes are no longer needed.
 *
 * Why: a consumer reading a long partition asks for about a megabyte per fetch. A fresh
 * buffer for each costs the kernel a page fault per 4 KiB on the first write into it, and
 * V8 a full garbage collection for every few dozen megabytes of buffers it has to free:
 * together more than the read itself. A buffer handed back is reused as is.
 *
 * The contract: `release` is called at most once, and only when nothing can read the bytes
 * any more (for a fetch, after the socket write that sent them completed). A buffer that is
 * never released is simply garbage collected, so forgetting is safe; releasing early is not.
 * Sizes are rounded up to powers of two so that reads of similar lengths share buffers; at
 * most `maxFreeBytes` wait here unused.
 */
export interface ReadBuffer {
  /** Exactly the length asked for. */
  bytes: Buffer;
  /** Hands the buffer back; later calls do nothing. */
  release(): void;
}

/** Where a read gets its buffer. */
export interface ReadBuffers {
  acquire(length: number): ReadBuffer;
}

/** Below this (by default), a read takes a fresh buffer: small ones cost little to allocate and to collect. */
export const MIN_POOLED_BYTES = 64 * 1024;
/** Above this, a read takes a fresh buffer: too rare to be worth keeping memory for. */
export const MAX_POOLED_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_FREE_BYTES = 32 * 1024 * 1024;

const NOTHING_TO_RELEASE = (): void => {};

/** A fresh buffer every time, for callers that keep what they read. */
export const FRESH_READ_BUFFERS: ReadBuffers = {
  acquire: (length) => ({ bytes: Buffer.allocUnsafe(length), release: NOTHING_TO_RELEASE }),
};

export class ReadBufferPool implements ReadBuffers {
  /** Free buffers by size class (log2 of their size). */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;

  private readonly minBytes: number;
  private readonly maxFreeBytes: number;

  constructor(options: { minBytes?: number; maxFreeBytes?: number } = {}) {
    this.minBytes = options.minBytes ?? MIN_POOLED_BYTES;
    this.maxFreeBytes = options.maxFreeBytes ?? DEFAULT_MAX_FREE_BYTES;
  }

  /** Bytes held by buffers waiting to be reused. */
  get idleBytes(): number {
    return this.freeBytes;
  }

  acquire(length: number): ReadBuffer {
    if (length < this.minBytes || length > MAX_POOLED_BYTES || length === 0) return FRESH_READ_BUFFERS.acquire(length);
    const sizeClass = 32 - Math.clz32(length - 1);
    const reused = this.free.get(sizeClass)?.pop();
    if (reused) this.freeBytes -= reused.length;
    const buffer = reused ?? Buffer.allocUnsafeSlow(2 ** sizeClass);
    let owned = true;
    return {
      bytes: buffer.subarray(0, length),
      release: () => {
        if (!owned) return;
        owned = false;
        this.giveBack(sizeClass, buffer);
      },
    };
  }

  private giveBack(sizeClass: number, buffer: Buffer): void {
    if (this.freeBytes + buffer.length > this.maxFreeBytes) return;
    let list = this.free.get(sizeClass);
    if (!list) this.free.set(sizeClass, (list = []));
    list.push(buffer);
    this.freeBytes += buffer.length;
  }
}

/** The pool logs read through unless told otherwise: one per process, shared by every partition. */
export const sharedReadBuffers = new ReadBufferPool();
