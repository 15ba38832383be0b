// The Kafka message schemas (data) and their TypeScript shapes, one module per API, plus the
// request and response headers. Derived from Apache Kafka 3.9's JSON schemas (Apache License
// 2.0; see each file's header). To follow a Kafka schema change, edit the data by hand in the
// same form; test/protocol/messages.test.ts compares it with the JSON files when
// ../shared/kafka-protocol is present.
export * from './ApiVersions.js';
export * from './CreatePartitions.js';
export * from './CreateTopics.js';
export * from './DeleteGroups.js';
export * from './DeleteTopics.js';
export * from './DescribeConfigs.js';
export * from './DescribeGroups.js';
export * from './Fetch.js';
export * from './FindCoordinator.js';
export * from './Heartbeat.js';
export * from './InitProducerId.js';
export * from './JoinGroup.js';
export * from './LeaveGroup.js';
export * from './ListGroups.js';
export * from './ListOffsets.js';
export * from './Metadata.js';
export * from './OffsetCommit.js';
export * from './OffsetFetch.js';
export * from './Produce.js';
export * from './RequestHeader.js';
export * from './ResponseHeader.js';
export * from './SaslAuthenticate.js';
export * from './SaslHandshake.js';
export * from './SyncGroup.js';
