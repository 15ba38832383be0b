import { Packr } from 'msgpackr';

/**
 * Typed value codecs for keys and values. A Serializer never sees null: a null key or value
 * (a tombstone) is passed through as a null field of the record by the producer, and a null
 * field is handed back as null by the consumer.
 */
export interface Serializer<T> {
  serialize(value: T): Buffer;
  deserialize(bytes: Buffer): T;
}

/** UTF-8 strings. */
export const stringSerializer: Serializer<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (bytes) => bytes.toString('utf8'),
};

/** The bytes as they are (copied on read, so the result does not pin a fetch buffer). */
export const bytesSerializer: Serializer<Buffer> = {
  serialize: (value) => value,
  deserialize: (bytes) => Buffer.from(bytes),
};

/** JSON text in UTF-8. The type parameter is trusted, not checked, on read. */
export function jsonSerializer<T>(): Serializer<T> {
  return {
    serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    deserialize: (bytes) => JSON.parse(bytes.toString('utf8')) as T,
  };
}

/**
 * MessagePack (msgpackr) with plain maps, no record extension, so other MessagePack readers can
 * decode the values.
 */
export function msgpackSerializer<T>(): Serializer<T> {
  const packr = new Packr({ useRecords: false, variableMapSize: true });
  return {
    serialize: (value) => packr.pack(value),
    deserialize: (bytes) => packr.unpack(bytes) as T,
  };
}
