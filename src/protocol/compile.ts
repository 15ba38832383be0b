import {
  arrayCodec,
  boolCodec,
  bytesCodec,
  float64Codec,
  int64Codec,
  intCodec,
  invalidValue,
  stringCodec,
  uuidCodec,
  type TypeCodec,
} from './codecs.js';
import { fieldDefault, type FieldDefault } from './defaults.js';
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { camelCase, type Decoded, type FieldSchema, type MessageSchema, type StructSchema } from './schema.js';
import { inVersions, parseVersions } from './versions.js';
import { Writer } from './writer.js';

/**
 * The schema compiler: turns (schema, version) into a specialised encoder/decoder made of
 * closures, once, and caches it. Version ranges, nullability, compactness, defaults and tags
 * are all resolved here, so encoding and decoding do no schema interpretation per call.
 *
 * Semantics (Kafka's, see the message schema README):
 * - A field outside its `versions` is not on the wire; the decoder fills in its default. Writing
 *   a non-default value for it throws ProtocolError('UNSUPPORTED_VERSION') unless the field is
 *   `ignorable`, in which case it is dropped silently.
 * - An `undefined` (missing) property is written as the field's default.
 * - Tagged fields are written, in ascending tag order, only when they differ from their default.
 *   Unknown tags are skipped on read (not preserved). A known tag whose value does not use
 *   exactly its declared size is rejected.
 * - Trailing bytes after a message are not read; `Reader.pos` tells callers where it ended.
 */
export interface MessageCodec<T = unknown> {
  readonly schema: MessageSchema<T>;
  readonly version: number;
  readonly flexible: boolean;
  write(w: Writer, value: T): void;
  /** Reads one message at `r.pos`, leaving `r.pos` just past it. */
  read(r: Reader): Decoded<T>;
}

interface Ctx {
  readonly version: number;
  readonly flexible: boolean;
  readonly label: string;
  readonly structs: ReadonlyMap<string, StructSchema>;
}

type Obj = Record<string, unknown>;

interface TaggedField {
  readonly tag: number;
  readonly key: string;
  readonly codec: TypeCodec;
  readonly dflt: FieldDefault;
}

function structFieldsOf(ctx: Ctx): (type: string, field: FieldSchema) => readonly FieldSchema[] {
  return (type, field) => {
    const fields = field.fields ?? ctx.structs.get(type.replace(/^\[\]/, ''))?.fields;
    if (!fields) throw new Error(`${ctx.label}: unknown type ${type} for field ${field.name}`);
    return fields;
  };
}

function typeCodec(type: string, field: FieldSchema, ctx: Ctx, compact: boolean, nullable: boolean, path: string): TypeCodec {
  if (type.startsWith('[]')) {
    const element = typeCodec(type.slice(2), field, ctx, compact, false, `${path}[]`);
    return arrayCodec(element, compact, nullable, path, ctx.label);
  }
  const where = `${ctx.label} ${path}`;
  switch (type) {
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
      return intCodec(type, where);
    case 'int64':
      return int64Codec(where);
    case 'float64':
      return float64Codec(where);
    case 'bool':
      return boolCodec(where);
    case 'uuid':
      return uuidCodec(where);
    case 'string':
      return stringCodec(compact, nullable, path, ctx.label);
    case 'bytes':
      return bytesCodec(compact, nullable, true, path, ctx.label);
    case 'records':
      return bytesCodec(compact, nullable, false, path, ctx.label);
    default:
      if (nullable) throw new Error(`${where} is a nullable struct, which is not supported`);
      return structCodec(structFieldsOf(ctx)(type, field), ctx, path);
  }
}

/** `path` is the field's path within the message, e.g. `topics[].partitions[].records`. */
function fieldCodec(field: FieldSchema, ctx: Ctx, path: string): TypeCodec {
  const compact =
    field.flexibleVersions !== undefined ? inVersions(parseVersions(field.flexibleVersions), ctx.version) : ctx.flexible;
  const nullable = inVersions(parseVersions(field.nullableVersions), ctx.version);
  return typeCodec(field.type, field, ctx, compact, nullable, path);
}

function structCodec(fields: readonly FieldSchema[], ctx: Ctx, path: string): TypeCodec {
  const { version, flexible, label } = ctx;
  const keys: string[] = [];
  const reads: Array<(r: Reader) => unknown> = [];
  const writes: Array<(w: Writer, o: Obj) => void> = [];
  const checks: Array<(o: Obj) => void> = [];
  const tagged: TaggedField[] = [];
  let minSize = flexible ? 1 : 0;

  for (const field of fields) {
    const key = camelCase(field.name);
    const fieldPath = path ? `${path}.${key}` : key;
    const dflt = fieldDefault(field, field.type, structFieldsOf(ctx));
    const present = inVersions(parseVersions(field.versions), version);
    const isTagged = present && inVersions(parseVersions(field.taggedVersions), version);
    keys.push(key);
    if (present && !isTagged) {
      const codec = fieldCodec(field, ctx, fieldPath);
      const { write, read } = codec;
      const enc = dflt.enc;
      minSize += codec.minSize;
      reads.push(read);
      writes.push((w, o) => {
        const v = o[key];
        write(w, v === undefined ? enc : v);
      });
      continue;
    }
    const make = dflt.make;
    reads.push(() => make());
    if (isTagged) {
      if (!flexible || field.tag === undefined) throw new Error(`${label}: bad tagged field ${fieldPath}`);
      tagged.push({ tag: field.tag, key, codec: fieldCodec(field, ctx, fieldPath), dflt });
    } else if (!field.ignorable) {
      checks.push((o) => {
        if (!dflt.is(o[key])) {
          throw new ProtocolError(
            'UNSUPPORTED_VERSION',
            `${label}: ${fieldPath} does not exist in version ${version} and is not ignorable; leave it at its default`,
          );
        }
      });
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map<number, TaggedField>();
  for (const t of tagged) {
    if (byTag.has(t.tag)) throw new Error(`${label}: duplicate tag ${t.tag} in ${path || 'the message'}`);
    byTag.set(t.tag, t);
  }

  const n = keys.length;
  const where = path ? `${label} ${path}` : label;
  return {
    minSize,
    write: (w, v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidValue(where, 'an object', v);
      const o = v as Obj;
      for (const check of checks) check(o);
      for (const write of writes) write(w, o);
      if (flexible) writeTaggedFields(w, o, tagged);
    },
    read: (r) => {
      const o: Obj = {};
      for (let i = 0; i < n; i++) o[keys[i]!] = reads[i]!(r);
      if (flexible) readTaggedFields(r, o, byTag);
      return o;
    },
  };
}

function writeTaggedFields(w: Writer, o: Obj, tagged: readonly TaggedField[]): void {
  let count = 0;
  for (const t of tagged) if (!t.dflt.is(o[t.key])) count++;
  w.uvarint(count);
  if (count === 0) return;
  for (const t of tagged) {
    const v = o[t.key];
    if (t.dflt.is(v)) continue;
    const sub = new Writer(64);
    t.codec.write(sub, v);
    w.uvarint(t.tag);
    w.uvarint(sub.length);
    w.raw(sub.finish());
  }
}

function readTaggedFields(r: Reader, o: Obj, byTag: ReadonlyMap<number, TaggedField>): void {
  const at = r.pos;
  const count = r.uvarint();
  // Each tagged field takes at least two bytes (tag and size).
  if (count * 2 > r.remaining) {
    throw r.fail(`${count} tagged fields cannot fit in the ${r.remaining} byte(s) left`, at);
  }
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const sizeAt = r.pos;
    const size = r.uvarint();
    if (size > r.remaining) {
      throw r.fail(`tagged field ${tag} size ${size} exceeds the ${r.remaining} byte(s) left`, sizeAt);
    }
    const field = byTag.get(tag);
    if (field === undefined) {
      r.skip(size);
      continue;
    }
    const sub = r.sub(size);
    o[field.key] = field.codec.read(sub);
    if (sub.pos !== sub.end) {
      throw r.fail(`tagged field ${tag} (${field.key}) declared ${size} byte(s) but used ${sub.pos - r.pos}`, r.pos);
    }
    r.pos = sub.end;
  }
}

const cache = new WeakMap<MessageSchema<unknown>, Map<number, MessageCodec<unknown>>>();

/**
 * The compiled codec for `schema` at `version` (built on first use, then cached). Throws
 * ProtocolError('UNSUPPORTED_VERSION') if the version is not one of the schema's valid versions.
 */
export function messageCodec<T>(schema: MessageSchema<T>, version: number): MessageCodec<T> {
  let perVersion = cache.get(schema);
  if (perVersion === undefined) {
    perVersion = new Map();
    cache.set(schema, perVersion);
  }
  const cached = perVersion.get(version);
  if (cached !== undefined) return cached as MessageCodec<T>;
  if (!Number.isInteger(version) || !inVersions(parseVersions(schema.validVersions), version)) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `${schema.name} has no version ${version} (valid: ${schema.validVersions})`,
    );
  }
  const flexible = inVersions(parseVersions(schema.flexibleVersions), version);
  const label = `${schema.name} v${version}`;
  const structs = new Map((schema.commonStructs ?? []).map((s) => [s.name, s]));
  const body = structCodec(schema.fields, { version, flexible, label, structs }, '');
  const codec: MessageCodec<T> = {
    schema,
    version,
    flexible,
    write: (w, value) => body.write(w, value),
    read: (r) => {
      const outer = r.context;
      r.context = label;
      const value = body.read(r) as Decoded<T>;
      r.context = outer;
      return value;
    },
  };
  perVersion.set(version, codec as MessageCodec<unknown>);
  return codec;
}

/** Encodes one message body (no size prefix, no header). */
export function encodeMessage<T>(schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer();
  messageCodec(schema, version).write(w, value);
  return w.finish();
}

/**
 * Decodes one message body from `buf` (from `offset`). Trailing bytes after the message are
 * ignored, as Kafka does; use messageCodec().read with a Reader to learn where it ended.
 */
export function decodeMessage<T>(schema: MessageSchema<T>, version: number, buf: Buffer, offset = 0): Decoded<T> {
  return messageCodec(schema, version).read(new Reader(buf, offset));
}
