import { TidelogError } from '../common/index.js';

/**
 * Per-topic (log) configuration with Kafka's key names and defaults, as data. The
 * broker-wide defaults (`log.segment.bytes`, ...) map onto these keys.
 */
type ConfigType = 'int' | 'long' | 'string';

interface ConfigDefinition {
  type: ConfigType;
  /** Kafka's default, in the string form DescribeConfigs shows. */
  default: string;
  min?: number;
  validValues?: readonly string[];
  doc: string;
}

const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIG_DEFINITIONS = {
  'segment.bytes': { type: 'int', default: '1073741824', min: 14, doc: 'Size at which a segment rolls.' },
  'segment.ms': { type: 'long', default: '604800000', min: 1, doc: 'Age at which a segment rolls even if not full.' },
  'segment.index.bytes': { type: 'int', default: '10485760', min: 8, doc: 'Size at which an offset index is full, forcing a roll.' },
  'index.interval.bytes': { type: 'int', default: '4096', min: 0, doc: 'Log bytes between offset index entries.' },
  'retention.ms': { type: 'long', default: '604800000', min: -1, doc: 'Age after which closed segments are deleted; -1 keeps them.' },
  'retention.bytes': { type: 'long', default: '-1', min: -1, doc: 'Size above which the oldest closed segments are deleted; -1 keeps them.' },
  'max.message.bytes': { type: 'int', default: '1048588', min: 0, doc: 'Largest record batch accepted.' },
  'flush.messages': { type: 'long', default: LONG_MAX, min: 1, doc: 'Messages appended between forced fsyncs of the log.' },
  'flush.ms': { type: 'long', default: LONG_MAX, min: 0, doc: 'Milliseconds between forced fsyncs of the log.' },
  'cleanup.policy': { type: 'string', default: 'delete', validValues: ['delete'], doc: 'What happens to old segments: deleted.' },
  // Accepted because tools send them when creating topics; a single broker stores batches as
  // the producer compressed them and keeps their CreateTime, so only these values hold.
  'compression.type': { type: 'string', default: 'producer', validValues: ['producer'], doc: 'Batches are stored as the producer compressed them.' },
  'message.timestamp.type': { type: 'string', default: 'CreateTime', validValues: ['CreateTime'], doc: 'Records keep the timestamp the producer gave them.' },
  'min.insync.replicas': { type: 'int', default: '1', min: 1, doc: 'Replicas that must hold a write for acks=all; one broker holds every write.' },
} as const satisfies Record<string, ConfigDefinition>;

export type TopicConfigName = keyof typeof TOPIC_CONFIG_DEFINITIONS;

/** Parsed values. Longs beyond 2^53 (Kafka's "never") parse to Infinity. */
export type TopicConfig = {
  [K in TopicConfigName]: (typeof TOPIC_CONFIG_DEFINITIONS)[K]['type'] extends 'string' ? string : number;
};

export function isTopicConfigName(name: string): name is TopicConfigName {
  return Object.hasOwn(TOPIC_CONFIG_DEFINITIONS, name);
}

function parseValue(name: TopicConfigName, raw: string): number | string {
  const def: ConfigDefinition = TOPIC_CONFIG_DEFINITIONS[name];
  if (def.type === 'string') {
    if (def.validValues && !def.validValues.includes(raw)) {
      throw new TidelogError('INVALID_CONFIG', `${name} must be one of ${def.validValues.join(', ')}, not "${raw}"`);
    }
    return raw;
  }
  if (!/^-?\d+$/.test(raw.trim())) throw new TidelogError('INVALID_CONFIG', `${name} must be an integer, not "${raw}"`);
  const big = BigInt(raw.trim());
  const limit = def.type === 'int' ? 2n ** 31n - 1n : 2n ** 63n - 1n;
  if (big > limit || big < -limit - 1n) throw new TidelogError('INVALID_CONFIG', `${name} ${raw} is out of range for a ${def.type}`);
  if (def.min !== undefined && big < BigInt(def.min)) throw new TidelogError('INVALID_CONFIG', `${name} must be at least ${def.min}, not ${raw}`);
  return big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big);
}

/** Defaults overlaid with `overrides`; unknown names and bad values throw INVALID_CONFIG. */
export function resolveTopicConfig(overrides: Readonly<Record<string, string>> = {}): TopicConfig {
  const config: Record<string, number | string> = {};
  for (const name of Object.keys(TOPIC_CONFIG_DEFINITIONS) as TopicConfigName[]) {
    config[name] = parseValue(name, overrides[name] ?? TOPIC_CONFIG_DEFINITIONS[name].default);
  }
  for (const name of Object.keys(overrides)) {
    if (!isTopicConfigName(name)) throw new TidelogError('INVALID_CONFIG', `unknown topic config ${name}`);
  }
  return config as TopicConfig;
}

export const DEFAULT_TOPIC_CONFIG: TopicConfig = resolveTopicConfig();
