import type { FieldSchema } from './schema.js';
import { camelCase } from './schema.js';

/**
 * Field defaults, as Kafka's generated code has them: the explicit `default` if any, otherwise
 * 0 / false / "" / empty bytes / empty array / the zero UUID; `"null"` means null; records
 * default to null; a struct's default is the struct with every field at its default.
 */
export interface FieldDefault {
  /** A fresh default value (new arrays and objects each call) for decoded messages. */
  make(): unknown;
  /** True if `v` equals the default; `undefined` always counts as the default. */
  is(v: unknown): boolean;
  /** The value an encoder writes when the caller left the field undefined. */
  readonly enc: unknown;
}

export const ZERO_UUID = '00000000000000000000000000000000';
const EMPTY = Buffer.alloc(0);
const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

export const INT_RANGES = {
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
} as const;

function constant(d: unknown): FieldDefault {
  return { make: () => d, is: (v) => v === undefined || v === d, enc: d };
}

function literal(field: FieldSchema): string | undefined {
  const d = field.default;
  return d === undefined ? undefined : String(d);
}

function bad(field: FieldSchema): Error {
  return new Error(`invalid default ${JSON.stringify(field.default)} for ${field.name} (${field.type})`);
}

/** Parses "-1", "0x7fffffff", "-0x10", … */
function splitSign(s: string): [boolean, string] {
  return s.startsWith('-') ? [true, s.slice(1)] : [false, s];
}

function intDefault(field: FieldSchema, min: number, max: number): number {
  const s = literal(field);
  if (s === undefined) return 0;
  const [neg, body] = splitSign(s.trim());
  const n = (neg ? -1 : 1) * Number(body);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(field);
  return n;
}

/** `structFields` resolves the fields of a struct type (inline or from commonStructs). */
export function fieldDefault(
  field: FieldSchema,
  type: string,
  structFields: (type: string, field: FieldSchema) => readonly FieldSchema[],
): FieldDefault {
  const s = literal(field);
  if (type.startsWith('[]')) {
    if (s === 'null') return constant(null);
    if (s !== undefined) throw bad(field);
    const empty: readonly unknown[] = Object.freeze([]);
    return {
      make: () => [],
      is: (v) => v === undefined || (Array.isArray(v) && v.length === 0),
      enc: empty,
    };
  }
  switch (type) {
    case 'bool':
      if (s === undefined || s === 'false') return constant(false);
      if (s === 'true') return constant(true);
      throw bad(field);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32': {
      const [min, max] = INT_RANGES[type];
      return constant(intDefault(field, min, max));
    }
    case 'int64': {
      if (s === undefined) return constant(0n);
      const [neg, body] = splitSign(s.trim());
      const n = BigInt(body) * (neg ? -1n : 1n);
      if (BigInt.asIntN(64, n) !== n) throw bad(field);
      return constant(n);
    }
    case 'float64': {
      const n = s === undefined ? 0 : Number(s);
      if (Number.isNaN(n)) throw bad(field);
      return constant(n);
    }
    case 'string':
      return constant(s === 'null' ? null : (s ?? ''));
    case 'uuid':
      if (s !== undefined) throw bad(field);
      return constant(ZERO_UUID);
    case 'bytes':
      if (s === 'null') return constant(null);
      if (s !== undefined) throw bad(field);
      return {
        make: () => EMPTY,
        is: (v) => v === undefined || (v instanceof Uint8Array && v.length === 0),
        enc: EMPTY,
      };
    case 'records':
      if (s !== undefined && s !== 'null') throw bad(field);
      return constant(null);
    default: {
      if (s === 'null') throw new Error(`nullable struct field ${field.name} is not supported`);
      if (s !== undefined) throw bad(field);
      const fields = structFields(type, field);
      const parts = fields.map((f) => ({ key: camelCase(f.name), d: fieldDefault(f, f.type, structFields) }));
      // Immutable defaults (primitives, strings, null, the shared empty Buffer) are copied from a
      // template in one step; arrays and structs get fresh instances.
      const template: Record<string, unknown> = {};
      const fresh: typeof parts = [];
      for (const p of parts) {
        const v = p.d.make();
        template[p.key] = v;
        if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) fresh.push(p);
      }
      return {
        make: () => {
          const o: Record<string, unknown> = { ...template };
          for (const p of fresh) o[p.key] = p.d.make();
          return o;
        },
        is: (v) => {
          if (v === undefined) return true;
          if (v === null || typeof v !== 'object') return false;
          const o = v as Record<string, unknown>;
          return parts.every((p) => p.d.is(o[p.key]));
        },
        enc: NO_FIELDS,
      };
    }
  }
}
