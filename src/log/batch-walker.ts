import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, CURRENT_MAGIC, BATCH_HEADER_SIZE } from '../record/index.js';
import type { LogFileHandle } from './fs.js';

/** The header fields the log's lookups need, and where the batch lies in the file. */
export interface BatchPosition {
  position: number;
  sizeInBytes: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: number;
  /** The whole batch, a view into the walker's current chunk. */
  bytes: Buffer;
}

/**
 * Walks the batches of a segment file from `position` to `end`, reading in chunks of at
 * least `chunkBytes`; each yielded batch is whole in memory. It trusts lengths, not CRCs:
 * it runs over data already verified at append or recovery, and stops at anything that is
 * not a plausible batch (reporting it through `stoppedEarly`).
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

  /** Bytes in [start, stop) when the current chunk holds them all, else null. */
  view(start: number, stop: number): Buffer | null {
    if (start < this.chunkStart || stop > this.chunkStart + this.chunk.length) return null;
    return this.chunk.subarray(start - this.chunkStart, stop - this.chunkStart);
  }

  private async fill(bytes: number): Promise<boolean> {
    if (this.view(this.position, this.position + bytes)) return true;
    const length = Math.min(Math.max(this.chunkBytes, bytes), this.end - this.position);
    if (length < bytes) return false;
    const chunk = Buffer.allocUnsafe(length);
    const read = await this.handle.read(chunk, 0, length, this.position);
    this.chunk = chunk.subarray(0, read);
    this.chunkStart = this.position;
    return read >= bytes;
  }

  /** Goes back to an earlier position, keeping what is already read. */
  rewind(position: number): void {
    this.position = position;
    this.stoppedEarly = false;
  }

  async next(): Promise<BatchPosition | null> {
    if (this.position >= this.end) return null;
    if (!(await this.fill(BATCH_HEADER_SIZE))) return this.stop();
    let header = this.view(this.position, this.position + BATCH_HEADER_SIZE)!;
    const sizeInBytes = header.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD;
    if (header[MAGIC] !== CURRENT_MAGIC || sizeInBytes < BATCH_HEADER_SIZE) return this.stop();
    if (!(await this.fill(sizeInBytes))) return this.stop();
    const bytes = this.view(this.position, this.position + sizeInBytes)!;
    header = bytes;
    const baseOffset = header.readBigInt64BE(0);
    const batch: BatchPosition = {
      position: this.position,
      sizeInBytes,
      baseOffset,
      lastOffset: baseOffset + BigInt(header.readInt32BE(LAST_OFFSET_DELTA)),
      maxTimestamp: Number(header.readBigInt64BE(MAX_TIMESTAMP)),
      bytes,
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
