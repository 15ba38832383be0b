import { TidelogError } from '../common/index.js';

/** Kafka's limit: a partition directory `<topic>-<partition>` must still fit in 255 bytes. */
export const MAX_TOPIC_NAME_LENGTH = 249;

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Throws INVALID_TOPIC_EXCEPTION unless `name` is a legal Kafka topic name (Kafka's `Topic.validate`). */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new TidelogError('INVALID_TOPIC_EXCEPTION', 'topic name is empty');
  if (name === '.' || name === '..') throw new TidelogError('INVALID_TOPIC_EXCEPTION', `topic name cannot be "${name}"`);
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new TidelogError('INVALID_TOPIC_EXCEPTION', `topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`);
  }
  if (!LEGAL.test(name)) {
    throw new TidelogError('INVALID_TOPIC_EXCEPTION', `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`);
  }
}

export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TOPIC_NAME_LENGTH && name !== '.' && name !== '..' && LEGAL.test(name);
}

/**
 * Names beginning with "__" are the broker's own (`__consumer_offsets`): clients may not
 * create, produce to, grow or delete them; the broker itself may.
 */
export function isInternalTopicName(name: string): boolean {
  return name.startsWith('__');
}

/** Kafka refuses two topics that differ only in '.' versus '_': their metric names collide. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}
