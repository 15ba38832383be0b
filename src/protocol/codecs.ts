import { INT_RANGES } from './defaults.js';
import { ProtocolError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/**
 * Codecs for one wire type in one encoding (compact or not, nullable or not), built once per
 * (schema, version) by the compiler. `write` validates the JS value and throws
 * ProtocolError('INVALID_REQUEST') naming the field path when it does not fit; `read` checks
 * every length against the bytes left before allocating anything.
 */
export interface TypeCodec {
  /** The fewest bytes one value can take; bounds array counts before allocation. */
  readonly minSize: number;
  write(w: Writer, v: unknown): void;
  read(r: Reader): unknown;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UUID_RE = /^[0-9a-fA-F]{32}$/;

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function invalidValue(path: string, expected: string, v: unknown): ProtocolError {
  return new ProtocolError('INVALID_REQUEST', `${path}: expected ${expected}, got ${show(v)}`);
}

export function intCodec(type: keyof typeof INT_RANGES, where: string): TypeCodec {
  const [min, max] = INT_RANGES[type];
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw invalidValue(where, `an ${type}`, v);
    }
    return v;
  };
  switch (type) {
    case 'int8':
      return { minSize: 1, write: (w, v) => w.int8(check(v)), read: (r) => r.int8() };
    case 'int16':
      return { minSize: 2, write: (w, v) => w.int16(check(v)), read: (r) => r.int16() };
    case 'uint16':
      return { minSize: 2, write: (w, v) => w.uint16(check(v)), read: (r) => r.uint16() };
    case 'int32':
      return { minSize: 4, write: (w, v) => w.int32(check(v)), read: (r) => r.int32() };
  }
}

export function int64Codec(where: string): TypeCodec {
  return {
    minSize: 8,
    write: (w, v) => {
      if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) throw invalidValue(where, 'an int64 bigint', v);
      w.int64(v);
    },
    read: (r) => r.int64(),
  };
}

export function float64Codec(where: string): TypeCodec {
  return {
    minSize: 8,
    write: (w, v) => {
      if (typeof v !== 'number') throw invalidValue(where, 'a float64 number', v);
      w.float64(v);
    },
    read: (r) => r.float64(),
  };
}

export function boolCodec(where: string): TypeCodec {
  return {
    minSize: 1,
    write: (w, v) => {
      if (typeof v !== 'boolean') throw invalidValue(where, 'a boolean', v);
      w.bool(v);
    },
    read: (r) => r.bool(),
  };
}

export function uuidCodec(where: string): TypeCodec {
  return {
    minSize: 16,
    write: (w, v) => {
      if (typeof v !== 'string' || !UUID_RE.test(v)) throw invalidValue(where, 'a UUID as 32 hex digits', v);
      w.uuid(v);
    },
    read: (r) => r.uuid(),
  };
}

/**
 * Reads a length prefix: a compact one (uvarint N+1, 0 = null) or an int16/int32 one
 * (-1 = null). Returns -1 for null after checking that null is allowed.
 */
function readLength(
  r: Reader,
  compact: boolean,
  wide: boolean,
  nullable: boolean,
  path: string,
  what: string,
): number {
  const at = r.pos;
  const n = compact ? r.uvarint() - 1 : wide ? r.int32() : r.int16();
  if (n < 0) {
    if (n === -1) {
      if (nullable) return -1;
      throw r.fail(`${path}: null ${what} in a version where it is not nullable`, at);
    }
    throw r.fail(`${path}: negative ${what} length ${n}`, at);
  }
  return n;
}

function writeNull(w: Writer, compact: boolean, wide: boolean): void {
  if (compact) w.uvarint(0);
  else if (wide) w.int32(-1);
  else w.int16(-1);
}

/**
 * For the length-prefixed codecs, `path` names the field in decode errors (the Reader adds the
 * message label) and `${label} ${path}` names it in encode errors.
 */
export function stringCodec(compact: boolean, nullable: boolean, path: string, label: string): TypeCodec {
  const where = `${label} ${path}`;
  const nullNote = nullable ? 'a string or null' : 'a string (not nullable in this version)';
  return {
    minSize: compact ? 1 : 2,
    write: (w, v) => {
      if (typeof v !== 'string') {
        if (v === null && nullable) return writeNull(w, compact, false);
        throw invalidValue(where, nullNote, v);
      }
      const len = Buffer.byteLength(v, 'utf8');
      if (compact) w.uvarint(len + 1);
      else if (len > 0x7fff) throw invalidValue(where, 'a string of at most 32767 UTF-8 bytes', v);
      else w.int16(len);
      w.utf8(v, len);
    },
    read: (r) => {
      const at = r.pos;
      const len = readLength(r, compact, false, nullable, path, 'string');
      if (len < 0) return null;
      if (len > r.remaining) {
        throw r.fail(`${path}: string length ${len} exceeds the ${r.remaining} byte(s) left`, at);
      }
      return r.utf8(len);
    },
  };
}

/**
 * `bytes` values are copied out of the frame (they are small and often kept, like group
 * metadata); `records` values are zero-copy views of the frame.
 */
export function bytesCodec(compact: boolean, nullable: boolean, copy: boolean, path: string, label: string): TypeCodec {
  const where = `${label} ${path}`;
  const what = copy ? 'bytes' : 'records';
  const expected = nullable ? 'a Buffer or null' : 'a Buffer (not nullable in this version)';
  return {
    minSize: compact ? 1 : 4,
    write: (w, v) => {
      if (!(v instanceof Uint8Array)) {
        if (v === null && nullable) return writeNull(w, compact, true);
        throw invalidValue(where, expected, v);
      }
      if (compact) w.uvarint(v.length + 1);
      else w.int32(v.length);
      w.raw(v);
    },
    read: (r) => {
      const at = r.pos;
      const len = readLength(r, compact, true, nullable, path, what);
      if (len < 0) return null;
      if (len > r.remaining) {
        throw r.fail(`${path}: ${what} length ${len} exceeds the ${r.remaining} byte(s) left`, at);
      }
      const view = r.view(len);
      return copy ? Buffer.from(view) : view;
    },
  };
}

export function arrayCodec(element: TypeCodec, compact: boolean, nullable: boolean, path: string, label: string): TypeCodec {
  const where = `${label} ${path}`;
  const elementMin = Math.max(1, element.minSize);
  const expected = nullable ? 'an array or null' : 'an array (not nullable in this version)';
  const { write: writeElement, read: readElement } = element;
  return {
    minSize: compact ? 1 : 4,
    write: (w, v) => {
      if (!Array.isArray(v)) {
        if (v === null && nullable) return writeNull(w, compact, true);
        throw invalidValue(where, expected, v);
      }
      const n = v.length;
      if (compact) w.uvarint(n + 1);
      else w.int32(n);
      for (let i = 0; i < n; i++) writeElement(w, v[i]);
    },
    read: (r) => {
      const at = r.pos;
      const n = readLength(r, compact, true, nullable, path, 'array');
      if (n < 0) return null;
      // Reject before allocating: every element takes at least elementMin bytes.
      if (n * elementMin > r.remaining) {
        throw r.fail(
          `${path}: array count ${n} needs at least ${n * elementMin} bytes but only ${r.remaining} are left`,
          at,
        );
      }
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readElement(r));
      return out;
    },
  };
}
