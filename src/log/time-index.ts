import { IndexFile } from './index-file.js';

/**
 * The time index of one segment (`.timeindex`), Kafka's layout: 12-byte entries of
 * (largest timestamp so far int64, offset relative to the segment's base int32). An entry
 * (t, r) says: t is the largest timestamp up to that point of the segment, first reached by
 * the batch whose last offset is base + r, so every earlier batch is older than t. Entries
 * are added only when t grows, so both columns increase; a final entry is written when the
 * segment is closed, so the last entry's timestamp is the segment's largest.
 */
export const TIME_INDEX_ENTRY_SIZE = 12;

export class TimeIndex extends IndexFile {
  private timestamps = new Float64Array(0);
  private relativeOffsets = new Int32Array(0);

  constructor(path: string) {
    super(path, TIME_INDEX_ENTRY_SIZE);
  }

  protected capacity(): number {
    return this.timestamps.length;
  }

  protected grow(capacity: number): void {
    const timestamps = new Float64Array(capacity);
    const offsets = new Int32Array(capacity);
    timestamps.set(this.timestamps.subarray(0, this.count));
    offsets.set(this.relativeOffsets.subarray(0, this.count));
    this.timestamps = timestamps;
    this.relativeOffsets = offsets;
  }

  protected encodeEntry(i: number, buf: Buffer, pos: number): void {
    buf.writeBigInt64BE(BigInt(this.timestamps[i]!), pos);
    buf.writeInt32BE(this.relativeOffsets[i]!, pos + 8);
  }

  protected decodeEntry(i: number, buf: Buffer, pos: number): void {
    this.timestamps[i] = Number(buf.readBigInt64BE(pos));
    this.relativeOffsets[i] = buf.readInt32BE(pos + 8);
  }

  /** Adds an entry only if `timestamp` is above the last one's; never for NO_TIMESTAMP (-1), as in Kafka. */
  maybeAppend(timestamp: number, relativeOffset: number): void {
    if (timestamp < 0 || (this.count > 0 && timestamp <= this.timestamps[this.count - 1]!)) return;
    this.reserve(this.count + 1);
    this.timestamps[this.count] = timestamp;
    this.relativeOffsets[this.count] = relativeOffset;
    this.count++;
  }

  /**
   * Where to start searching for the first record at or after `timestamp`: the last entry
   * strictly below it (every batch up to its offset is older than the target), or null to
   * start from the beginning of the segment.
   */
  lookup(timestamp: number): { timestamp: number; relativeOffset: number } | null {
    const i = this.floor(timestamp - 1, (k) => this.timestamps[k]!);
    return i < 0 ? null : { timestamp: this.timestamps[i]!, relativeOffset: this.relativeOffsets[i]! };
  }

  last(): { timestamp: number; relativeOffset: number } | null {
    if (this.count === 0) return null;
    return { timestamp: this.timestamps[this.count - 1]!, relativeOffset: this.relativeOffsets[this.count - 1]! };
  }

  /** Why the entries can't be trusted, or null. */
  check(): string | null {
    for (let i = 0; i < this.count; i++) {
      const t = this.timestamps[i]!;
      const r = this.relativeOffsets[i]!;
      if (!Number.isSafeInteger(t)) return `entry ${i} timestamp is not a safe integer`;
      if (r < 0) return `entry ${i} offset ${r} is negative`;
      if (i > 0 && (t <= this.timestamps[i - 1]! || r < this.relativeOffsets[i - 1]!)) return `entry ${i} goes backwards`;
    }
    return null;
  }
}
