/**
 * Tidelog's typed client, the package root (`import { Producer } from 'tidelog'`). It speaks
 * only Kafka's wire protocol over the codecs the broker uses, and imports nothing but
 * src/protocol, src/record and src/common, so it works against any Kafka-protocol broker.
 */

// Producing
export {
  Producer,
  type Acks,
  type Compression,
  type MessageHeaders,
  type ProducedRange,
  type ProducerMessage,
  type ProducerOptions,
  type RecordMetadata,
  type SendRequest,
} from './producer.js';
export { stringSerializer, bytesSerializer, jsonSerializer, msgpackSerializer, type Serializer } from './serializers.js';
export { murmur2, toPositive, partitionForKey, defaultPartitioner, type Partitioner, type PartitionInput } from './partitioner.js';

// Consuming
export { Consumer } from './consumer.js';
export type { ConsumerOptions, Deserializer, OffsetResetPolicy, IsolationLevel } from './consumer/options.js';
export type { ConsumerRecord, ConsumerBatch, SeekTarget, PollOptions, IterateOptions } from './consumer/types.js';
export {
  GroupMembership,
  rangeAssignor,
  roundRobinAssignor,
  DEFAULT_ASSIGNORS,
  fetchCommittedOffsets,
  commitOffsets,
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  type GroupMembershipOptions,
  type Assignor,
  type AssignorMember,
  type TopicPartition,
  type Subscription,
  type Assignment,
  type CommittedOffset,
  type OffsetToCommit,
  type CommittingMember,
} from './group/index.js';

// Administering
export { Admin, type AdminOptions, type ClusterDescription } from './admin.js';
export type { NewTopic, CreateTopicsOptions, CreatedTopic, DeleteTopicsOptions, TopicDescription, PartitionDescription, NewPartitions } from './admin/topics.js';
export type { ConfigResource, ConfigResourceType, ConfigResourceDescription, ConfigEntry, ConfigSynonym, ConfigSource, ConfigType, DescribeConfigsOptions } from './admin/configs.js';
export type { ListedGroup, GroupDescription, MemberDescription } from './admin/groups.js';
export type { PartitionLag, ResetTarget } from './admin/offsets.js';
export { listOffsets, topicPartitionKey, LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, MAX_TIMESTAMP, type ListOffsetsEntry, type ListedOffset, type ListOffsetsOptions } from './list-offsets.js';

// Errors
export { TidelogError, isTidelogError, errorFromCode, networkError, type KafkaErrorName } from './errors.js';

// The layers underneath, for tools that speak the protocol directly
export { Cluster, type ClusterOptions, type BrokerAddress, type PartitionInfo, type TopicInfo } from './cluster.js';
export { Connection, type ConnectionOptions, type RequestOptions } from './connection.js';
export { CLIENT_VERSIONS, pickVersions, type BrokerApiRange } from './versions.js';
export { withRetry, backoffMs, sleep, isRetriable, DEFAULT_RETRY, type RetryOptions } from './retry.js';
