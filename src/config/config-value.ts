import { TidelogError } from '../common/index.js';

/**
 * One configuration key as data: its type, Kafka's default in the string form
 * DescribeConfigs shows, and its validation. Shared by the broker's keys; topic keys keep
 * their own table in topic-config.ts.
 */
export type ConfigType = 'boolean' | 'short' | 'int' | 'long' | 'string';

export interface ConfigDefinition {
  type: ConfigType;
  /** Kafka's default as a string; null when the value falls back to another key (see `doc`). */
  default: string | null;
  min?: number;
  max?: number;
  validValues?: readonly string[];
  doc: string;
}

export type ConfigValue<T extends ConfigType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;

/** Kafka's "never" for longs; parses to Infinity. */
export const LONG_MAX = '9223372036854775807';

const INTEGER_BITS = { short: 16n, int: 32n, long: 64n } as const;

/**
 * Parses and validates one raw value. Integers beyond 2^53 (only longs get there, and
 * only as Kafka's "never") parse to Infinity, as topic configs do.
 */
export function parseConfigValue(name: string, def: ConfigDefinition, raw: string): number | boolean | string {
  const text = raw.trim();
  switch (def.type) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new TidelogError('INVALID_CONFIG', `${name} must be true or false, not "${raw}"`);
      return lower === 'true';
    }
    case 'string':
      if (def.validValues && !def.validValues.includes(text)) {
        throw new TidelogError('INVALID_CONFIG', `${name} must be one of ${def.validValues.join(', ')}, not "${raw}"`);
      }
      if (text === '') throw new TidelogError('INVALID_CONFIG', `${name} must not be empty`);
      return text;
    default: {
      if (!/^[+-]?\d+$/.test(text)) throw new TidelogError('INVALID_CONFIG', `${name} must be an integer, not "${raw}"`);
      const big = BigInt(text);
      const limit = 2n ** (INTEGER_BITS[def.type] - 1n);
      if (big >= limit || big < -limit) throw new TidelogError('INVALID_CONFIG', `${name} ${text} is out of range for a ${def.type}`);
      if (def.min !== undefined && big < BigInt(def.min)) throw new TidelogError('INVALID_CONFIG', `${name} must be at least ${def.min}, not ${text}`);
      if (def.max !== undefined && big > BigInt(def.max)) throw new TidelogError('INVALID_CONFIG', `${name} must be at most ${def.max}, not ${text}`);
      return big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big);
    }
  }
}

/** The string form Kafka shows for a parsed value: Infinity is Long.MAX_VALUE. */
export function formatConfigValue(value: number | boolean | string): string {
  if (value === Infinity) return LONG_MAX;
  return String(value);
}
