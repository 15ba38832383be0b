export {
  TopicManager,
  MAX_PARTITIONS_PER_TOPIC,
  type AdminOptions,
  type CreatedTopic,
  type CreateTopicRequest,
  type PartitionRecovery,
  type TopicDescription,
  type TopicManagerOptions,
  type WaitForDataRequest,
} from './topic-manager.js';
export { Partition, LIST_OFFSETS_TIMESTAMP, type ListedOffset, type Origin, type PartitionAppendOptions, type PartitionEvent, type PartitionListener } from './partition.js';
export { DelayedFetches, type FetchWaitOutcome, type WaitForDataOptions, type WaitPosition } from './delayed-fetch.js';
export { fetchRecords, type FetchPartitionRequest, type FetchPartitionResult, type FetchRequest } from './fetch.js';
export { validateTopicName, isValidTopicName, isInternalTopicName, MAX_TOPIC_NAME_LENGTH } from './topic-name.js';
export { BROKER_METADATA_FILE, TOPICS_FILE } from './metadata-files.js';
export * from './groups/index.js';
