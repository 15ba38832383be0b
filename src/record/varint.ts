/**
 * Zigzag varints as the record format uses them (protobuf sint32/sint64). Flexible
 * protocol versions use unsigned varints instead; those live in src/protocol.
 */
export interface Decoded<T> {
  value: T;
  next: number;
}

export function zigzagVarintSize(value: number): number {
  const v = ((value << 1) ^ (value >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

export function writeZigzagVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

export function readZigzagVarint(buf: Buffer, pos: number): Decoded<number> {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= buf.length) throw new RangeError('varint runs past the end of the buffer');
    const byte = buf[pos++]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: (result >>> 1) ^ -(result & 1), next: pos };
    shift += 7;
  }
  throw new RangeError('varint longer than 5 bytes');
}

export function zigzagVarlongSize(value: bigint): number {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function writeZigzagVarlong(buf: Buffer, pos: number, value: bigint): number {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

export function readZigzagVarlong(buf: Buffer, pos: number): Decoded<bigint> {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RangeError('varlong runs past the end of the buffer');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      const unsigned = BigInt.asUintN(64, result);
      return { value: BigInt.asIntN(64, (unsigned >> 1n) ^ -(unsigned & 1n)), next: pos };
    }
    shift += 7n;
  }
  throw new RangeError('varlong longer than 10 bytes');
}

/*
 * The writers' hot path: the same zigzag forms for integers held as doubles (timestamp deltas,
 * within ±2^52), and int64 fields from doubles within ±2^53, all without BigInt.
 */

export function zigzagVarlongNumberSize(value: number): number {
  if (value >= -0x4000_0000 && value < 0x4000_0000) return zigzagVarintSize(value);
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

export function writeZigzagVarlongNumber(buf: Buffer, pos: number, value: number): number {
  if (value >= -0x4000_0000 && value < 0x4000_0000) return writeZigzagVarint(buf, pos, value);
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

export function writeInt64Number(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * 0x1_0000_0000, pos + 4);
}

/** A record's length-prefixed bytes field: zigzag length (-1 for null), then the bytes. */
export function writeZigzagBytes(buf: Buffer, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  const length = bytes.length;
  if (length < 64) buf[pos++] = length << 1;
  else pos = writeZigzagVarint(buf, pos, length);
  buf.set(bytes, pos);
  return pos + length;
}
