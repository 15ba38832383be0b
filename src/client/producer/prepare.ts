import { RECORDS } from '../../record/index.js';
import { TidelogError } from '../errors.js';
import type { Partitioner } from '../partitioner.js';
import type { Serializer } from '../serializers.js';
import { MAX_HEADER_FRAMING, MAX_RECORD_FRAMING, type EncodedHeader } from './record-bytes.js';

/**
 * The first pass over a send call's messages: serialize keys and values, pick partitions,
 * encode headers and check everything, before a single record is appended. Bad input (a value
 * its serializer rejects, a partition out of range, a record too large) fails the whole call
 * with nothing sent. The result is parallel arrays, read by the append pass.
 */

export type MessageHeaders = Record<string, string | Buffer> | { key: string; value: string | Buffer | null }[];

export interface ProducerMessage<K, V> {
  key?: K | null;
  /** null is a tombstone. */
  value: V | null;
  headers?: MessageHeaders;
  /** Overrides the partitioner. */
  partition?: number;
  /** CreateTime in ms since the epoch; default: when the send is called. */
  timestamp?: number;
}

export interface PreparedRecords {
  count: number;
  /** Per message; null when no message has a key. */
  keys: (Uint8Array | null)[] | null;
  values: (Uint8Array | null)[];
  partitions: Int32Array;
  /** Per message; null when no message has headers. */
  headers: (EncodedHeader[] | null)[] | null;
  /** Per message; null when no message sets its own. */
  timestamps: Float64Array | null;
  /** The timestamp of messages without one. */
  now: number;
}

export interface PrepareContext<K, V> {
  topic: string;
  partitionCount: number;
  keySerializer: Serializer<K>;
  valueSerializer: Serializer<V>;
  partitioner: Partitioner;
  /** Largest encoded record accepted (min of maxRequestSize and bufferMemory, less a batch header). */
  maxRecordBytes: number;
}

export function prepareRecords<K, V>(messages: readonly ProducerMessage<K, V>[], context: PrepareContext<K, V>): PreparedRecords {
  if (!Array.isArray(messages)) throw new TypeError(`send: messages must be an array, not ${typeof messages}`);
  const { topic, partitionCount, keySerializer, valueSerializer, partitioner, maxRecordBytes } = context;
  const count = messages.length;
  // Filled by push: `new Array(n)` of a large n starts as a slow dictionary in V8.
  let keys: (Uint8Array | null)[] | null = null;
  const values: (Uint8Array | null)[] = [];
  const partitions = new Int32Array(count);
  let headers: (EncodedHeader[] | null)[] | null = null;
  let timestamps: Float64Array | null = null;
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const message = messages[i];
    if (message === null || typeof message !== 'object') throw new TypeError(`send to ${topic}: message ${i} is ${message === null ? 'null' : typeof message}, not an object`);
    const key = message.key == null ? null : serialize(keySerializer, message.key, 'key', topic, i);
    const value = message.value === null ? null : serialize(valueSerializer, message.value, 'value', topic, i);
    if (key !== null && keys === null) keys = Array.from({ length: i }, () => null);
    keys?.push(key);
    values.push(value);
    let bytes = (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
    if (message.partition !== undefined) partitions[i] = checkPartition(message.partition, partitionCount, topic, i, 'its partition');
    else if (partitionCount > 1) partitions[i] = checkPartition(partitioner({ topic, key: key as Buffer | null, partitionCount }), partitionCount, topic, i, 'the partitioner');
    if (message.headers !== undefined) {
      const encoded = encodeHeaders(message.headers, topic, i);
      headers ??= Array.from({ length: count }, () => null);
      headers[i] = encoded;
      for (const header of encoded) bytes += MAX_HEADER_FRAMING + header.key.length + (header.value?.length ?? 0);
    }
    if (message.timestamp !== undefined) (timestamps ??= new Float64Array(count).fill(now))[i] = checkTimestamp(message.timestamp, topic, i);
    if (bytes + MAX_RECORD_FRAMING > maxRecordBytes) {
      throw new TidelogError('MESSAGE_TOO_LARGE', `send to ${topic}: message ${i} is about ${bytes + MAX_RECORD_FRAMING + RECORDS} bytes in a batch, more than the ${maxRecordBytes + RECORDS} that maxRequestSize and bufferMemory allow`);
    }
  }
  return { count, keys, values, partitions, headers, timestamps, now };
}

function serialize<T>(serializer: Serializer<T>, input: T, what: 'key' | 'value', topic: string, index: number): Uint8Array {
  let bytes: unknown;
  try {
    bytes = serializer.serialize(input);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`send to ${topic}: the ${what} serializer rejected the ${what} of message ${index}: ${reason}`, { cause: error });
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`send to ${topic}: the ${what} serializer returned ${describe(bytes)} for message ${index}, not bytes (does the ${what} have the serializer's type?)`);
  }
  return bytes;
}

function checkPartition(partition: unknown, partitionCount: number, topic: string, index: number, source: string): number {
  if (typeof partition !== 'number' || !Number.isInteger(partition)) {
    throw new TypeError(`send to ${topic}: message ${index} got partition ${describe(partition)} from ${source}; a partition is an integer`);
  }
  if (partition < 0 || partition >= partitionCount) {
    throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `send to ${topic}: topic ${topic} has ${partitionCount} partitions; there is no partition ${partition} (message ${index})`);
  }
  return partition;
}

function checkTimestamp(timestamp: unknown, topic: string, index: number): number {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
    throw new TypeError(`send to ${topic}: message ${index} has timestamp ${describe(timestamp)}; a timestamp is an integer of ms since the epoch`);
  }
  if (timestamp < 0) throw new TidelogError('INVALID_TIMESTAMP', `send to ${topic}: message ${index} has a negative timestamp ${timestamp}`);
  return timestamp;
}

function encodeHeaders(headers: MessageHeaders, topic: string, index: number): EncodedHeader[] {
  const list = Array.isArray(headers) ? headers : typeof headers === 'object' && headers !== null ? Object.entries(headers).map(([key, value]) => ({ key, value })) : null;
  if (list === null) throw new TypeError(`send to ${topic}: message ${index} has headers ${describe(headers)}; give an object or a list of { key, value }`);
  return list.map((header) => {
    const { key, value } = header ?? {};
    if (typeof key !== 'string') throw new TypeError(`send to ${topic}: a header of message ${index} has key ${describe(key)}, not a string`);
    if (value !== null && typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw new TypeError(`send to ${topic}: header ${key} of message ${index} has value ${describe(value)}, not a string, bytes or null`);
    }
    return { key: Buffer.from(key, 'utf8'), value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
  });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40) ?? String(value)}`;
}
