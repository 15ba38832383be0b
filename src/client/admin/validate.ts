import { TidelogError } from '../errors.js';

/**
 * Input checks for the admin calls, run before anything is sent, so a typo fails with a
 * message naming the argument rather than with whatever the broker makes of it.
 */

/** Kafka's limit (Topic.MAX_NAME_LENGTH): `<topic>-<partition>` must fit a 255-byte file name. */
const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** A legal Kafka topic name, else INVALID_TOPIC_EXCEPTION. */
export function checkTopicName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${what}: a topic name must be a non-empty string, not ${describe(name)}`);
  if (name === '.' || name === '..') throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${what}: a topic cannot be named "${name}"`);
  if (name.length > MAX_TOPIC_NAME_LENGTH) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${what}: topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`);
  if (!LEGAL_TOPIC_NAME.test(name)) throw new TidelogError('INVALID_TOPIC_EXCEPTION', `${what}: topic name ${JSON.stringify(name)} may hold only ASCII letters, digits, '.', '_' and '-'`);
  return name;
}

/** A non-empty group id, else INVALID_GROUP_ID. */
export function checkGroupId(groupId: unknown, what: string): string {
  if (typeof groupId !== 'string' || groupId.length === 0) throw new TidelogError('INVALID_GROUP_ID', `${what}: a group id must be a non-empty string, not ${describe(groupId)}`);
  return groupId;
}

/** A non-empty array of distinct names, each checked by `check`. */
export function checkNames(names: unknown, what: string, check: (name: unknown, what: string) => string): string[] {
  if (!Array.isArray(names) || names.length === 0) throw new TidelogError('INVALID_REQUEST', `${what}: give a non-empty array of names, not ${describe(names)}`);
  const seen = new Set<string>();
  for (const name of names) {
    check(name, what);
    if (seen.has(name as string)) throw new TidelogError('INVALID_REQUEST', `${what}: ${JSON.stringify(name)} is listed twice`);
    seen.add(name as string);
  }
  return [...seen];
}

/** An integer in [min, 2^31 - 1], else `code`. */
export function checkInt32(value: unknown, min: number, code: 'INVALID_PARTITIONS' | 'INVALID_REPLICATION_FACTOR' | 'INVALID_REQUEST', what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw new TidelogError(code, `${what} must be an integer ≥ ${min}, not ${describe(value)}`);
  }
  return value;
}

/** An offset: a bigint ≥ 0n. */
export function checkOffset(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n) throw new TidelogError('INVALID_REQUEST', `${what} must be a bigint ≥ 0n, not ${describe(value)}`);
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
