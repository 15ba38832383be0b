import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_APIS,
  camelCase,
  decodeMessage,
  encodeMessage,
  inVersions,
  messageCodec,
  parseVersions,
  ProtocolError,
  Reader,
  RequestHeaderSchema,
  ResponseHeaderSchema,
  type FieldSchema,
  type MessageSchema,
} from '../../src/protocol/index.js';
import { defaultOf, messageArb, versionsOf } from './arbitraries.js';

const SCHEMAS: MessageSchema[] = [
  ...ALL_APIS.flatMap((api): MessageSchema[] => [api.request, api.response]),
  RequestHeaderSchema,
  ResponseHeaderSchema,
];

function expectProtocolError(fn: () => unknown, code: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION'): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe(code);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('round trip: every schema, every version', () => {
  for (const schema of SCHEMAS) {
    describe(schema.name, () => {
      for (const version of versionsOf(schema)) {
        it(`v${version}: encode → decode → equal, re-encode → same bytes`, () => {
          const codec = messageCodec(schema, version);
          fc.assert(
            fc.property(messageArb(schema, version), (value) => {
              const bytes = encodeMessage(schema, version, value);
              const r = new Reader(bytes);
              const decoded = codec.read(r);
              expect(r.pos).toBe(bytes.length);
              expect(decoded).toEqual(value);
              expect(encodeMessage(schema, version, decoded).equals(bytes)).toBe(true);
            }),
            { numRuns: 25 },
          );
        });
      }
    });
  }
});

describe('truncation: every proper prefix fails with a ProtocolError', () => {
  for (const schema of SCHEMAS) {
    it(`${schema.name}, every version`, () => {
      for (const version of versionsOf(schema)) {
        const [value] = fc.sample(messageArb(schema, version, { minArray: 1, maxArray: 2 }), { numRuns: 1, seed: version });
        const bytes = encodeMessage(schema, version, value);
        for (let length = 0; length < bytes.length; length++) {
          // A copy, so that reading past the prefix cannot see the original's bytes.
          const prefix = Buffer.from(bytes.subarray(0, length));
          let error: unknown = null;
          try {
            decodeMessage(schema, version, prefix);
          } catch (e) {
            error = e;
          }
          if (!(error instanceof ProtocolError) || error.code !== 'INVALID_REQUEST') {
            throw new Error(`${schema.name} v${version}: prefix of ${length}/${bytes.length} bytes gave ${String(error)}`);
          }
        }
      }
    });
  }
});

/** A non-default value for a field (of its own type). */
function nonDefault(field: FieldSchema, type = field.type): unknown {
  if (type.startsWith('[]')) {
    const element = type.slice(2);
    return [field.fields ? {} : nonDefault({ ...field, default: undefined }, element)];
  }
  const d = defaultOf(field, type);
  switch (type) {
    case 'bool':
      return !d;
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'float64':
      return d === 1 ? 2 : 1;
    case 'int64':
      return d === 1n ? 2n : 1n;
    case 'string':
      return 'x';
    case 'bytes':
    case 'records':
      return Buffer.from([1]);
    case 'uuid':
      return '01'.repeat(16);
    default: {
      const first = field.fields![0]!;
      return { [camelCase(first.name)]: nonDefault(first) };
    }
  }
}

interface AbsentCase {
  field: FieldSchema;
  /** Builds a message holding `v` at the field's path (one element per array on the way). */
  build(v: unknown): Record<string, unknown>;
  /** Reads the field back out of a decoded message. */
  get(m: Record<string, unknown>): unknown;
}

function absentCases(fields: readonly FieldSchema[], version: number): AbsentCase[] {
  const cases: AbsentCase[] = [];
  for (const field of fields) {
    const key = camelCase(field.name);
    if (!inVersions(parseVersions(field.versions), version)) {
      cases.push({ field, build: (v) => ({ [key]: v }), get: (m) => m[key] });
      continue;
    }
    if (!field.fields) continue;
    const isArray = field.type.startsWith('[]');
    for (const inner of absentCases(field.fields, version)) {
      cases.push({
        field: inner.field,
        build: (v) => ({ [key]: isArray ? [inner.build(v)] : inner.build(v) }),
        get: (m) => {
          const c = m[key] as Record<string, unknown> | Array<Record<string, unknown>>;
          return inner.get(Array.isArray(c) ? c[0]! : c);
        },
      });
    }
  }
  return cases;
}

describe('fields absent from the target version', () => {
  it('non-ignorable with a non-default value throw UNSUPPORTED_VERSION; ignorable ones are dropped', () => {
    let thrown = 0;
    let dropped = 0;
    for (const schema of SCHEMAS) {
      for (const version of versionsOf(schema)) {
        for (const c of absentCases(schema.fields, version)) {
          const message = c.build(nonDefault(c.field));
          if (c.field.ignorable) {
            const decoded = decodeMessage(schema, version, encodeMessage(schema, version, message));
            expect(c.get(decoded as Record<string, unknown>)).toEqual(defaultOf(c.field));
            dropped++;
          } else {
            expectProtocolError(() => encodeMessage(schema, version, message), 'UNSUPPORTED_VERSION');
            // The default value itself is fine.
            encodeMessage(schema, version, c.build(defaultOf(c.field)));
            thrown++;
          }
        }
      }
    }
    expect(thrown).toBeGreaterThan(50);
    expect(dropped).toBeGreaterThan(50);
  });
});
