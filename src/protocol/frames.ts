import { FrameSizeError } from './errors.js';

/** Kafka's default socket.request.max.bytes. */
export const DEFAULT_MAX_FRAME_SIZE = 104_857_600;

export interface FrameSplitterOptions {
  /** Largest accepted frame body in bytes (the size prefix's value). */
  maxFrameSize?: number;
}

/**
 * Sans-IO splitter of a byte stream into Kafka frames (`int32 size` + `size` bytes). Push the
 * socket's chunks in; whole frame bodies (without the size prefix) come out, in order, through
 * the callback.
 *
 * - A frame that lies within one chunk is delivered as a zero-copy `subarray` of that chunk;
 *   one that spans chunks is copied once into a buffer of exactly its size. Chunks are kept in a
 *   list until complete, never re-concatenated, so the work is linear in the bytes pushed.
 * - The size prefix is checked as soon as its 4 bytes arrive, before any of the body is
 *   buffered: a negative size or one above `maxFrameSize` throws FrameSizeError. After that the
 *   splitter is broken and every later push throws the same error; close the connection.
 * - The callback runs after the frame is consumed, so a throwing callback leaves the splitter
 *   consistent (the rest of that chunk is kept and delivered on the next push).
 */
export class FrameSplitter {
  readonly maxFrameSize: number;
  /** Pending chunks; chunks[index] is the oldest still holding unread bytes. */
  private chunks: Buffer[] = [];
  private index = 0;
  /** Read offset into chunks[index]. */
  private head = 0;
  private buffered = 0;
  /** Body size of the frame being assembled, or -1 while waiting for a size prefix. */
  private expected = -1;
  private error: FrameSizeError | null = null;

  constructor(options: FrameSplitterOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes received but not yet delivered (excluding size prefixes already parsed). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    if (this.error) throw this.error;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) return;
        const size = this.readSize();
        if (size < 0 || size > this.maxFrameSize) {
          this.error = new FrameSizeError(size, this.maxFrameSize);
          throw this.error;
        }
        this.expected = size;
      }
      if (this.buffered < this.expected) return;
      const frame = this.take(this.expected);
      this.expected = -1;
      onFrame(frame);
    }
  }

  private readSize(): number {
    const first = this.chunks[this.index]!;
    if (first.length - this.head >= 4) {
      const size = first.readInt32BE(this.head);
      this.consume(4);
      return size;
    }
    return this.take(4).readInt32BE(0);
  }

  /** Removes and returns the next n buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[this.index];
    if (n === 0 || first === undefined) return Buffer.alloc(0);
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.consume(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.index]!;
      const count = Math.min(n - filled, chunk.length - this.head);
      chunk.copy(out, filled, this.head, this.head + count);
      filled += count;
      this.consume(count);
    }
    return out;
  }

  private consume(n: number): void {
    this.head += n;
    this.buffered -= n;
    if (this.head === this.chunks[this.index]!.length) {
      this.index++;
      this.head = 0;
      if (this.index === this.chunks.length) {
        this.chunks = [];
        this.index = 0;
      } else if (this.index >= 1024 && this.index * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.index);
        this.index = 0;
      }
    }
  }
}
