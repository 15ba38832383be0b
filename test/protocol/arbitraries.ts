/**
 * fast-check arbitraries derived from the schema data: a random valid message of a schema at
 * one version. Fields absent at that version hold their default (computed here independently
 * of src/protocol/defaults.ts); tagged fields are either their default or a random value.
 */
import fc from 'fast-check';
import { camelCase, inVersions, parseVersions, type FieldSchema, type MessageSchema } from '../../src/protocol/index.js';

export interface ArbOptions {
  /** Smallest array length (1 makes deep, byte-rich messages for truncation tests). */
  minArray?: number;
  maxArray?: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const buffer = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 }));

/** The default value of a field, per the schema README rules. */
export function defaultOf(field: FieldSchema, type = field.type): unknown {
  const d = field.default === undefined ? undefined : String(field.default);
  if (type.startsWith('[]')) return d === 'null' ? null : [];
  switch (type) {
    case 'bool':
      return d === 'true';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'float64':
      return d === undefined ? 0 : d.startsWith('-') ? -Number(d.slice(1)) : Number(d);
    case 'int64':
      return d === undefined ? 0n : d.startsWith('-') ? -BigInt(d.slice(1)) : BigInt(d);
    case 'string':
      return d === 'null' ? null : (d ?? '');
    case 'bytes':
      return d === 'null' ? null : Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return '0'.repeat(32);
    default: {
      const o: Record<string, unknown> = {};
      for (const f of field.fields ?? []) o[camelCase(f.name)] = defaultOf(f);
      return o;
    }
  }
}

function scalar(type: string, opts: Required<ArbOptions>, field: FieldSchema, version: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer();
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'string':
      return text;
    case 'bytes':
      return buffer(8);
    case 'records':
      return buffer(40);
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map(hex);
    default:
      return structArb(field.fields ?? [], version, opts);
  }
}

function typeArb(type: string, field: FieldSchema, version: number, opts: Required<ArbOptions>): fc.Arbitrary<unknown> {
  if (type.startsWith('[]')) {
    const element = scalar(type.slice(2), opts, field, version);
    return fc.array(element, { minLength: opts.minArray, maxLength: opts.maxArray });
  }
  return scalar(type, opts, field, version);
}

function structArb(
  fields: readonly FieldSchema[],
  version: number,
  opts: Required<ArbOptions>,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) {
    const key = camelCase(field.name);
    if (!inVersions(parseVersions(field.versions), version)) {
      model[key] = fc.constant(defaultOf(field));
      continue;
    }
    let arb = typeArb(field.type, field, version, opts);
    if (inVersions(parseVersions(field.nullableVersions), version)) arb = fc.option(arb, { nil: null, freq: 4 });
    if (inVersions(parseVersions(field.taggedVersions), version)) {
      arb = opts.minArray > 0 ? arb : fc.oneof(fc.constant(defaultOf(field)), arb);
    }
    model[key] = arb;
  }
  return fc.record(model);
}

export function messageArb(
  schema: MessageSchema,
  version: number,
  options: ArbOptions = {},
): fc.Arbitrary<Record<string, unknown>> {
  const opts = { minArray: options.minArray ?? 0, maxArray: options.maxArray ?? 3 };
  return structArb(schema.fields, version, opts);
}

/** Every version in a schema's valid range. */
export function versionsOf(schema: MessageSchema): number[] {
  const { min, max } = parseVersions(schema.validVersions);
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}
