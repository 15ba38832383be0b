export {
  DEFAULT_TOPIC_CONFIG,
  TOPIC_CONFIG_DEFINITIONS,
  isTopicConfigName,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigName,
} from './topic-config.js';
