export {
  DEFAULT_TOPIC_CONFIG,
  TOPIC_CONFIG_DEFINITIONS,
  isTopicConfigName,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigName,
} from './topic-config.js';
export {
  BROKER_CONFIG_DEFINITIONS,
  DEFAULT_BROKER_CONFIG,
  isBrokerConfigName,
  resolveBrokerConfig,
  type BrokerConfig,
  type BrokerConfigName,
  type BrokerConfigValues,
} from './broker-config.js';
export { LONG_MAX, formatConfigValue, type ConfigDefinition, type ConfigType } from './config-value.js';
export {
  CONFIG_SOURCE,
  TOPIC_CONFIG_SYNONYMS,
  resolveEffectiveTopicConfig,
  topicDefaultsFromBroker,
  type ConfigSource,
  type ConfigSynonym,
  type EffectiveTopicConfig,
  type TopicConfigEntry,
} from './topic-defaults.js';
export { loadBrokerConfig, parseServerProperties, type LoadBrokerConfigOptions, type LoadedBrokerConfig } from './server-properties.js';
