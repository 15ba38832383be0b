import { ProtocolError } from './errors.js';

/**
 * A bounds-checked cursor over a Buffer. Every read checks the bytes left against `end` first
 * and throws ProtocolError('INVALID_REQUEST') instead of letting Buffer throw a RangeError.
 * `context` (e.g. "ProduceRequest v7") prefixes error messages.
 */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  context: string;

  constructor(buf: Buffer, pos = 0, end = buf.length, context = '') {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.context = context;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** A reader over the next `length` bytes, which the caller then skips. */
  sub(length: number): Reader {
    this.need(length);
    return new Reader(this.buf, this.pos, this.pos + length, this.context);
  }

  fail(message: string, offset = this.pos): ProtocolError {
    const prefix = this.context ? `${this.context}: ` : '';
    return new ProtocolError('INVALID_REQUEST', `${prefix}${message} (at byte ${offset})`, offset);
  }

  need(n: number): void {
    if (n > this.end - this.pos) {
      throw this.fail(`needs ${n} more byte(s) but only ${this.end - this.pos} are left`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    // Values within ±2^53 (offsets, timestamps, -1) convert exactly from a double: one BigInt
    // allocation instead of the several readBigInt64BE makes.
    if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * 0x100000000 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** 16 raw bytes as 32 lowercase hex digits. */
  uuid(): string {
    this.need(16);
    const v = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }

  /**
   * Unsigned varint (protobuf style) of at most 5 bytes holding a value below 2^32, as Kafka's
   * ByteUtils.readUnsignedVarint accepts.
   */
  uvarint(): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw this.fail('unsigned varint runs past the end', start);
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > 0xffffffff) throw this.fail('unsigned varint exceeds 32 bits', start);
        return value;
      }
      scale *= 128;
    }
    throw this.fail('unsigned varint longer than 5 bytes', start);
  }

  /** A zero-copy view of the next `n` bytes (checked). */
  view(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}
