/**
 * The shape of the schema data in ./messages: Apache Kafka's JSON message schemas, kept with
 * the same names and the same version-range strings, minus the keys that do not affect the
 * bytes (about, mapKey, entityType, zeroCopy, listeners).
 */

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface FieldSchema {
  /** Kafka's PascalCase name; the JS property is camelCase(name). */
  readonly name: string;
  /** A primitive, a struct name, or `[]` followed by either. */
  readonly type: string;
  /** Versions in which the field exists (on the wire, or in the tagged buffer). */
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  /** As written in the JSON: "null", "-1", "0x7fffffff", "false", "" or a JSON number. */
  readonly default?: string | number | boolean;
  readonly ignorable?: boolean;
  /** Overrides the message's compact encoding for this one field (RequestHeader.ClientId). */
  readonly flexibleVersions?: string;
  /** Inline struct definition, for struct and array-of-struct types. */
  readonly fields?: readonly FieldSchema[];
}

export interface StructSchema {
  readonly name: string;
  readonly versions: string;
  readonly fields: readonly FieldSchema[];
}

/**
 * One message (a request or response body, or a header). `T` is a phantom: the TypeScript
 * shape of the message as accepted by the encoder; the decoder returns `Decoded<T>`.
 */
export interface MessageSchema<T = unknown> {
  readonly name: string;
  /** 'data': a structure carried inside another message's bytes (ConsumerProtocolSubscription). */
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly apiKey?: number;
  readonly validVersions: string;
  readonly deprecatedVersions?: string;
  readonly flexibleVersions: string;
  readonly latestVersionUnstable?: boolean;
  readonly fields: readonly FieldSchema[];
  readonly commonStructs?: readonly StructSchema[];
  /** Phantom type carrier; never set. */
  readonly __shape?: T;
}

/** Kafka's field name to the JS property name: `TopicName` → `topicName`. */
export function camelCase(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

/**
 * The decoder's output for an input shape `T`: every field present (absent ones hold their
 * default), nothing readonly. Buffers and primitives are left alone.
 */
export type Decoded<T> = T extends Buffer
  ? T
  : T extends readonly (infer E)[]
    ? Decoded<E>[]
    : T extends object
      ? { -readonly [K in keyof T]-?: Decoded<T[K]> }
      : T;
