/**
 * Zigzag varints as the record format uses them (protobuf sint32/sint64). Flexible
 * protocol versions use unsigned varints instead; those live in src/protocol.
 */
export interface Decoded<T> {
  value: T;
  next: number;
}

export function zigzagVarintSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
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
