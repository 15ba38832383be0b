import { BROKER_CONFIG_DEFINITIONS, type BrokerConfig, type BrokerConfigName } from './broker-config.js';
import { LONG_MAX } from './config-value.js';
import { resolveTopicConfig, TOPIC_CONFIG_DEFINITIONS, type TopicConfig, type TopicConfigName } from './topic-config.js';

/**
 * A topic's effective configuration: Kafka's defaults, overlaid with the broker's settings
 * of their synonyms (`log.segment.bytes` for `segment.bytes`, ...), overlaid with the
 * topic's own overrides. Every value knows where it came from, for DescribeConfigs.
 */

/** DescribeConfigs' ConfigSource (Kafka's DescribeConfigsResponse.ConfigSource). */
export const CONFIG_SOURCE = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export type ConfigSource = (typeof CONFIG_SOURCE)[keyof typeof CONFIG_SOURCE];

interface BrokerSynonym {
  name: BrokerConfigName;
  /** Multiplies the broker's value into the topic's unit (hours to ms). */
  factor?: number;
}

/** Each topic key's broker synonyms, the one that wins first (Kafka's ServerTopicConfigSynonyms). */
export const TOPIC_CONFIG_SYNONYMS = {
  'segment.bytes': [{ name: 'log.segment.bytes' }],
  'segment.ms': [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', factor: 3_600_000 }],
  'segment.index.bytes': [{ name: 'log.index.size.max.bytes' }],
  'index.interval.bytes': [{ name: 'log.index.interval.bytes' }],
  'retention.ms': [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', factor: 60_000 }, { name: 'log.retention.hours', factor: 3_600_000 }],
  'retention.bytes': [{ name: 'log.retention.bytes' }],
  'max.message.bytes': [{ name: 'message.max.bytes' }],
  'flush.messages': [{ name: 'log.flush.interval.messages' }],
  'flush.ms': [{ name: 'log.flush.interval.ms' }],
  'cleanup.policy': [{ name: 'log.cleanup.policy' }],
  'compression.type': [],
  'message.timestamp.type': [],
  'min.insync.replicas': [],
} as const satisfies Record<TopicConfigName, readonly BrokerSynonym[]>;

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

/** One entry of a topic's DescribeConfigs result. */
export interface TopicConfigEntry {
  name: TopicConfigName;
  /** Kafka's string form of the effective value. */
  value: string;
  source: ConfigSource;
  /** The v0 field: true when nothing overrides Kafka's default. */
  isDefault: boolean;
  readOnly: false;
  isSensitive: false;
  /** Where the value could come from, the one in force first (DescribeConfigs v1+, IncludeSynonyms). */
  synonyms: ConfigSynonym[];
}

export interface EffectiveTopicConfig {
  config: TopicConfig;
  /** Every topic key, in TOPIC_CONFIG_DEFINITIONS order. */
  entries: TopicConfigEntry[];
}

/** The broker's value of a synonym in the topic's unit and string form; negative retention is -1 ("keep"). */
function topicValueFromBroker(topicName: TopicConfigName, synonym: BrokerSynonym, raw: string): string {
  if (TOPIC_CONFIG_DEFINITIONS[topicName].type === 'string') return raw;
  let value = BigInt(raw) * BigInt(synonym.factor ?? 1);
  if (topicName === 'retention.ms' && value < 0n) value = -1n;
  const longMax = BigInt(LONG_MAX);
  return (value > longMax ? longMax : value).toString();
}

function normalize(topicName: TopicConfigName, raw: string): string {
  const text = raw.trim();
  return TOPIC_CONFIG_DEFINITIONS[topicName].type === 'string' ? text : BigInt(text).toString();
}

/**
 * The topic configuration in force for a topic with `overrides` on this broker. Unknown
 * names and bad values in `overrides` throw INVALID_CONFIG naming the key.
 */
export function resolveEffectiveTopicConfig(broker: BrokerConfig, overrides: Readonly<Record<string, string>> = {}): EffectiveTopicConfig {
  // Validates the overrides (and names them in errors) before anything is normalized.
  resolveTopicConfig(overrides);
  const strings: Record<string, string> = {};
  const entries: TopicConfigEntry[] = [];
  for (const name of Object.keys(TOPIC_CONFIG_DEFINITIONS) as TopicConfigName[]) {
    const synonyms: ConfigSynonym[] = [];
    const own = overrides[name];
    if (own !== undefined) synonyms.push({ name, value: normalize(name, own), source: CONFIG_SOURCE.TOPIC_CONFIG });
    const brokerSynonyms: readonly BrokerSynonym[] = TOPIC_CONFIG_SYNONYMS[name];
    let fromBroker: string | null = null;
    for (const synonym of brokerSynonyms) {
      const set = broker.settings[synonym.name];
      if (set === undefined) continue;
      fromBroker ??= topicValueFromBroker(name, synonym, set);
      synonyms.push({ name: synonym.name, value: set, source: CONFIG_SOURCE.STATIC_BROKER_CONFIG });
    }
    const kafkaDefault = TOPIC_CONFIG_DEFINITIONS[name].default;
    synonyms.push(defaultSynonym(name, brokerSynonyms, kafkaDefault));
    const value = own !== undefined ? normalize(name, own) : (fromBroker ?? kafkaDefault);
    const source = own !== undefined ? CONFIG_SOURCE.TOPIC_CONFIG : fromBroker !== null ? CONFIG_SOURCE.STATIC_BROKER_CONFIG : CONFIG_SOURCE.DEFAULT_CONFIG;
    strings[name] = value;
    entries.push({ name, value, source, isDefault: source === CONFIG_SOURCE.DEFAULT_CONFIG, readOnly: false, isSensitive: false, synonyms });
  }
  return { config: resolveTopicConfig(strings), entries };
}

/** Kafka reports the default under the broker key that holds it (log.retention.hours 168), else the topic key. */
function defaultSynonym(name: TopicConfigName, brokerSynonyms: readonly BrokerSynonym[], kafkaDefault: string): ConfigSynonym {
  for (let i = brokerSynonyms.length - 1; i >= 0; i--) {
    const brokerName = brokerSynonyms[i]!.name;
    const brokerDefault = BROKER_CONFIG_DEFINITIONS[brokerName].default;
    if (brokerDefault !== null) return { name: brokerName, value: brokerDefault, source: CONFIG_SOURCE.DEFAULT_CONFIG };
  }
  return { name, value: kafkaDefault, source: CONFIG_SOURCE.DEFAULT_CONFIG };
}

/** The topic defaults this broker gives a topic without overrides, as topic-key strings. */
export function topicDefaultsFromBroker(broker: BrokerConfig): Record<TopicConfigName, string> {
  const out = {} as Record<TopicConfigName, string>;
  for (const entry of resolveEffectiveTopicConfig(broker).entries) out[entry.name] = entry.value;
  return out;
}
