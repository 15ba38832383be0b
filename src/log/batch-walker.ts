import { BATCH_HEADER_SIZE, BATCH_LENGTH, CURRENT_MAGIC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP } from '../record/index.js';
import type { LogFileHandle } from './fs.js';

/** The header fields the log's lookups need, and where the batch lies in the file. */
export interface BatchPosition {
  position: number;
  sizeInBytes: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: number;
}

/**
 * Walks the batch headers of a segment file from `position` to `end`, reading in chunks of
 * `chunkBytes`; a batch's body is read only when asked for with `bytesOf`. It trusts
 * lengths, not CRCs: it runs over data already verified at append or recovery, and stops
 * at anything that is not a plausible batch (reporting it through `stoppedEarly`).
 */
export class BatchWalker {
  stoppedEarly = false;
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;

  constructor(
    private readonly handle: LogFileHandle,
    private position: number,
    private readonly end: number,
    private readonly chunkBytes = 64 * 1024,
  ) {}

  /** Bytes in [start, stop) if the current chunk holds them all, else null. */
  view(start: number, stop: number): Buffer | null {
    if (start < this.chunkStart || stop > this.chunkStart + this.chunk.length) return null;
    return this.chunk.subarray(start - this.chunkStart, stop - this.chunkStart);
  }

  /** Bytes in [start, start + length), from the current chunk when it holds them, else read. */
  async bytes(start: number, length: number): Promise<Buffer> {
    const cached = this.view(start, start + length);
    if (cached) return cached;
    const buf = Buffer.allocUnsafe(length);
    return buf.subarray(0, await this.handle.read(buf, 0, length, start));
  }

  /** The whole batch. */
  bytesOf(batch: BatchPosition): Promise<Buffer> {
    return this.bytes(batch.position, batch.sizeInBytes);
  }

  /** Goes back to an earlier position, keeping what is already read. */
  rewind(position: number): void {
    this.position = position;
    this.stoppedEarly = false;
  }

  private async header(): Promise<Buffer | null> {
    const cached = this.view(this.position, this.position + BATCH_HEADER_SIZE);
    if (cached) return cached;
    const length = Math.min(this.chunkBytes, this.end - this.position);
    if (length < BATCH_HEADER_SIZE) return null;
    const chunk = Buffer.allocUnsafe(length);
    this.chunk = chunk.subarray(0, await this.handle.read(chunk, 0, length, this.position));
    this.chunkStart = this.position;
    return this.view(this.position, this.position + BATCH_HEADER_SIZE);
  }

  async next(): Promise<BatchPosition | null> {
    if (this.position >= this.end) return null;
    const header = await this.header();
    if (!header) return this.stop();
    const sizeInBytes = header.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD;
    if (header[MAGIC] !== CURRENT_MAGIC || sizeInBytes < BATCH_HEADER_SIZE || this.position + sizeInBytes > this.end) return this.stop();
    const baseOffset = header.readBigInt64BE(0);
    const batch: BatchPosition = {
      position: this.position,
      sizeInBytes,
      baseOffset,
      lastOffset: baseOffset + BigInt(header.readInt32BE(LAST_OFFSET_DELTA)),
      maxTimestamp: Number(header.readBigInt64BE(MAX_TIMESTAMP)),
    };
    this.position += sizeInBytes;
    return batch;
  }

  private stop(): null {
    this.stoppedEarly = true;
    this.position = this.end;
    return null;
  }
}
