/**
 * An append-only byte writer that never copies what it has already written: when the current
 * buffer fills up, the written part becomes a segment and a bigger buffer is started, and blobs
 * of at least ZERO_COPY_THRESHOLD bytes (records) are kept by reference as their own segment.
 * `finish()` returns one Buffer (a zero-copy view when everything fit in the first buffer,
 * otherwise one concatenation); `finishChunks()` returns the segments for writev.
 *
 * Writers do not validate values; the compiled codecs do that before calling them.
 */
export const ZERO_COPY_THRESHOLD = 4096;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the not yet segmented part of `buf`. */
  private start = 0;
  private segments: Buffer[] | null = null;
  private segmentedBytes = 0;
  /** The first buffer, whose first bytes can be patched after the fact (size prefixes). */
  private readonly first: Buffer;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
    this.first = this.buf;
  }

  get length(): number {
    return this.segmentedBytes + this.pos - this.start;
  }

  private cut(): void {
    if (this.pos > this.start) {
      (this.segments ??= []).push(this.buf.subarray(this.start, this.pos));
      this.segmentedBytes += this.pos - this.start;
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.cut();
      this.segments ??= [];
      this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.pos = 0;
      this.start = 0;
    }
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
  }

  uint8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  uint16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  int64(v: bigint): void {
    this.ensure(8);
    if (v >= -0x20000000000000n && v < 0x20000000000000n) {
      // Within ±2^53: split a double instead of doing BigInt arithmetic.
      const n = Number(v);
      const hi = Math.floor(n / 0x100000000);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(n - hi * 0x100000000, this.pos + 4);
      this.pos += 8;
    } else {
      this.pos = this.buf.writeBigInt64BE(v, this.pos);
    }
  }

  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  /** `v` must already be 32 hex digits. */
  uuid(v: string): void {
    this.ensure(16);
    this.pos += this.buf.write(v, this.pos, 16, 'hex');
  }

  /** Unsigned varint of a value in [0, 2^32). */
  uvarint(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Writes `byteLength` bytes of `s` as UTF-8; the caller computed byteLength. */
  utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }

  /** Appends bytes verbatim; large blobs are referenced, not copied, until finish(). */
  raw(b: Uint8Array): void {
    if (b.length >= ZERO_COPY_THRESHOLD) {
      this.cut();
      (this.segments ??= []).push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.segmentedBytes += b.length;
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Overwrites an int32 at `offset` (< 4 bytes into the first buffer's written part). */
  patchInt32(offset: number, v: number): void {
    this.first.writeInt32BE(v, offset);
  }

  finish(): Buffer {
    if (this.segments === null) return this.buf.subarray(0, this.pos);
    this.cut();
    return Buffer.concat(this.segments, this.segmentedBytes);
  }

  finishChunks(): Buffer[] {
    if (this.segments === null) return [this.buf.subarray(0, this.pos)];
    this.cut();
    return this.segments;
  }
}
