import { IndexFile } from './index-file.js';

/**
 * The sparse offset index of one segment (`.index`), Kafka's layout: 8-byte entries of
 * (offset relative to the segment's base int32, file position int32), big-endian. An
 * entry (r, p) says: the batch starting at position p holds offsets up to base + r. One
 * entry is added per `index.interval.bytes` of log. Invariants, checked on open: both
 * columns strictly increase, and every position lies inside the log file.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

export class OffsetIndex extends IndexFile {
  private relativeOffsets = new Int32Array(0);
  private positions = new Int32Array(0);

  constructor(path: string) {
    super(path, OFFSET_INDEX_ENTRY_SIZE);
  }

  protected capacity(): number {
    return this.positions.length;
  }

  protected grow(capacity: number): void {
    const offsets = new Int32Array(capacity);
    const positions = new Int32Array(capacity);
    offsets.set(this.relativeOffsets.subarray(0, this.count));
    positions.set(this.positions.subarray(0, this.count));
    this.relativeOffsets = offsets;
    this.positions = positions;
  }

  protected encodeEntry(i: number, buf: Buffer, pos: number): void {
    buf.writeInt32BE(this.relativeOffsets[i]!, pos);
    buf.writeInt32BE(this.positions[i]!, pos + 4);
  }

  protected decodeEntry(i: number, buf: Buffer, pos: number): void {
    this.relativeOffsets[i] = buf.readInt32BE(pos);
    this.positions[i] = buf.readInt32BE(pos + 4);
  }

  append(relativeOffset: number, position: number): void {
    this.reserve(this.count + 1);
    this.relativeOffsets[this.count] = relativeOffset;
    this.positions[this.count] = position;
    this.count++;
  }

  /** The entry to start scanning from for `relativeOffset`: position 0 when none precedes it. */
  lookup(relativeOffset: number): { relativeOffset: number; position: number } {
    const i = this.floor(relativeOffset, (k) => this.relativeOffsets[k]!);
    return i < 0 ? { relativeOffset: -1, position: 0 } : { relativeOffset: this.relativeOffsets[i]!, position: this.positions[i]! };
  }

  last(): { relativeOffset: number; position: number } | null {
    if (this.count === 0) return null;
    return { relativeOffset: this.relativeOffsets[this.count - 1]!, position: this.positions[this.count - 1]! };
  }

  /** Why the entries can't be trusted against a log file of `logSize` bytes, or null. */
  check(logSize: number): string | null {
    let previousOffset = -1;
    let previousPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const offset = this.relativeOffsets[i]!;
      const position = this.positions[i]!;
      if (offset <= previousOffset) return `entry ${i} offset ${offset} does not increase`;
      if (position <= previousPosition) return `entry ${i} position ${position} does not increase`;
      if (position >= logSize) return `entry ${i} position ${position} is past the log's ${logSize} bytes`;
      previousOffset = offset;
      previousPosition = position;
    }
    return null;
  }
}
