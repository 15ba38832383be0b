// Licensed to the Apache Software Foundation (ASF) under one or more
// contributor license agreements.  See the NOTICE file distributed with
// this work for additional information regarding copyright ownership.
// The ASF licenses this file to You under the Apache License, Version 2.0
// (the "License"); you may not use this file except in compliance with
// the License.  You may obtain a copy of the License at
//
//    http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
//
// Derived from Apache Kafka's message schemas FetchRequest.json and FetchResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// FetchRequest (API key 1)

export const FetchRequestSchema: MessageSchema<FetchRequest> = {
  apiKey: 1,
  type: 'request',
  name: 'FetchRequest',
  //
  // Version 1 is the same as version 0.
  //
  // Starting in Version 2, the requester must be able to handle Kafka Log
  // Message format version 1.
  //
  // Version 3 adds MaxBytes.  Starting in version 3, the partition ordering in
  // the request is now relevant.  Partitions will be processed in the order
  // they appear in the request.
  //
  // Version 4 adds IsolationLevel.  Starting in version 4, the reqestor must be
  // able to handle Kafka log message format version 2.
  //
  // Version 5 adds LogStartOffset to indicate the earliest available offset of
  // partition data that can be consumed.
  //
  // Version 6 is the same as version 5.
  //
  // Version 7 adds incremental fetch request support.
  //
  // Version 8 is the same as version 7.
  //
  // Version 9 adds CurrentLeaderEpoch, as described in KIP-320.
  //
  // Version 10 indicates that we can use the ZStd compression algorithm, as
  // described in KIP-110.
  // Version 12 adds flexible versions support as well as epoch validation through
  // the `LastFetchedEpoch` field
  //
  // Version 13 replaces topic names with topic IDs (KIP-516). May return UNKNOWN_TOPIC_ID error code.
  //
  // Version 14 is the same as version 13 but it also receives a new error called OffsetMovedToTieredStorageException(KIP-405)
  //
  // Version 15 adds the ReplicaState which includes new field ReplicaEpoch and the ReplicaId. Also,
  // deprecate the old ReplicaId field and set its default value to -1. (KIP-903)
  //
  // Version 16 is the same as version 15 (KIP-951).
  //
  // Version 17 adds directory id support from KIP-853
  validVersions: '0-17',
  deprecatedVersions: '0-3',
  flexibleVersions: '12+',
  fields: [
    { name: 'ClusterId', type: 'string', versions: '12+', nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: 'null', ignorable: true },
    { name: 'ReplicaId', type: 'int32', versions: '0-14', default: '-1' },
    {
      name: 'ReplicaState', type: 'ReplicaState', versions: '15+', taggedVersions: '15+', tag: 1,
      fields: [
        { name: 'ReplicaId', type: 'int32', versions: '15+', default: '-1' },
        { name: 'ReplicaEpoch', type: 'int64', versions: '15+', default: '-1' },
      ],
    },
    { name: 'MaxWaitMs', type: 'int32', versions: '0+' },
    { name: 'MinBytes', type: 'int32', versions: '0+' },
    { name: 'MaxBytes', type: 'int32', versions: '3+', default: '0x7fffffff', ignorable: true },
    { name: 'IsolationLevel', type: 'int8', versions: '4+', default: '0', ignorable: true },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0', ignorable: true },
    { name: 'SessionEpoch', type: 'int32', versions: '7+', default: '-1', ignorable: true },
    {
      name: 'Topics', type: '[]FetchTopic', versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0-12', ignorable: true },
        { name: 'TopicId', type: 'uuid', versions: '13+', ignorable: true },
        {
          name: 'Partitions', type: '[]FetchPartition', versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '9+', default: '-1', ignorable: true },
            { name: 'FetchOffset', type: 'int64', versions: '0+' },
            { name: 'LastFetchedEpoch', type: 'int32', versions: '12+', default: '-1', ignorable: false },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1', ignorable: true },
            { name: 'PartitionMaxBytes', type: 'int32', versions: '0+' },
            { name: 'ReplicaDirectoryId', type: 'uuid', versions: '17+', taggedVersions: '17+', tag: 0, ignorable: true },
          ],
        },
      ],
    },
    {
      name: 'ForgottenTopicsData', type: '[]ForgottenTopic', versions: '7+', ignorable: false,
      fields: [
        { name: 'Topic', type: 'string', versions: '7-12', ignorable: true },
        { name: 'TopicId', type: 'uuid', versions: '13+', ignorable: true },
        { name: 'Partitions', type: '[]int32', versions: '7+' },
      ],
    },
    { name: 'RackId', type: 'string', versions: '11+', default: '', ignorable: true },
  ],
};

/** FetchRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface FetchRequest {
  /** The clusterId if known. This is used to validate metadata fetches prior to broker registration. (v12+; nullable v12+; tag 0 in v12+; default "null"; ignorable) */
  clusterId?: string | null;
  /** The broker ID of the follower, of -1 if this request is from a consumer. (v0-14; default "-1") */
  replicaId?: number;
  /** (v15+; tag 1 in v15+) */
  replicaState?: FetchRequestReplicaState;
  /** The maximum time in milliseconds to wait for the response. (v0+) */
  maxWaitMs: number;
  /** The minimum bytes to accumulate in the response. (v0+) */
  minBytes: number;
  /** The maximum bytes to fetch.  See KIP-74 for cases where this limit may not be honored. (v3+; default "0x7fffffff"; ignorable) */
  maxBytes?: number;
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records (v4+; default "0"; ignorable) */
  isolationLevel?: number;
  /** The fetch session ID. (v7+; default "0"; ignorable) */
  sessionId?: number;
  /** The fetch session epoch, which is used for ordering requests in a session. (v7+; default "-1"; ignorable) */
  sessionEpoch?: number;
  /** The topics to fetch. (v0+) */
  topics: FetchTopic[];
  /** In an incremental fetch request, the partitions to remove. (v7+) */
  forgottenTopicsData?: FetchRequestForgottenTopic[];
  /** Rack ID of the consumer making this request (v11+; default ""; ignorable) */
  rackId?: string;
}

/** ReplicaState (FetchRequest.ReplicaState) */
export interface FetchRequestReplicaState {
  /** The replica ID of the follower, or -1 if this request is from a consumer. (v15+; default "-1") */
  replicaId?: number;
  /** The epoch of this follower, or -1 if not available. (v15+; default "-1") */
  replicaEpoch?: bigint;
}

/** The topics to fetch. (an element of FetchRequest.Topics) */
export interface FetchTopic {
  /** The name of the topic to fetch. (v0-12; ignorable) */
  topic?: string;
  /** The unique topic ID (v13+; ignorable) */
  topicId?: string;
  /** The partitions to fetch. (v0+) */
  partitions: FetchPartition[];
}

/** The partitions to fetch. (an element of FetchRequest.Topics.Partitions) */
export interface FetchPartition {
  /** The partition index. (v0+) */
  partition: number;
  /** The current leader epoch of the partition. (v9+; default "-1"; ignorable) */
  currentLeaderEpoch?: number;
  /** The message offset. (v0+) */
  fetchOffset: bigint;
  /** The epoch of the last fetched record or -1 if there is none (v12+; default "-1") */
  lastFetchedEpoch?: number;
  /** The earliest available offset of the follower replica.  The field is only used when the request is sent by the follower. (v5+; default "-1"; ignorable) */
  logStartOffset?: bigint;
  /** The maximum bytes to fetch from this partition.  See KIP-74 for cases where this limit may not be honored. (v0+) */
  partitionMaxBytes: number;
  /** The directory id of the follower fetching (v17+; tag 0 in v17+; ignorable) */
  replicaDirectoryId?: string;
}

/** In an incremental fetch request, the partitions to remove. (an element of FetchRequest.ForgottenTopicsData) */
export interface FetchRequestForgottenTopic {
  /** The topic name. (v7-12; ignorable) */
  topic?: string;
  /** The unique topic ID (v13+; ignorable) */
  topicId?: string;
  /** The partitions indexes to forget. (v7+) */
  partitions: number[];
}

// -------------------------------------------------------------------------------------------------
// FetchResponse (API key 1)

export const FetchResponseSchema: MessageSchema<FetchResponse> = {
  apiKey: 1,
  type: 'response',
  name: 'FetchResponse',
  //
  // Version 1 adds throttle time.
  //
  // Version 2 and 3 are the same as version 1.
  //
  // Version 4 adds features for transactional consumption.
  //
  // Version 5 adds LogStartOffset to indicate the earliest available offset of
  // partition data that can be consumed.
  //
  // Starting in version 6, we may return KAFKA_STORAGE_ERROR as an error code.
  //
  // Version 7 adds incremental fetch request support.
  //
  // Starting in version 8, on quota violation, brokers send out responses before throttling.
  //
  // Version 9 is the same as version 8.
  //
  // Version 10 indicates that the response data can use the ZStd compression
  // algorithm, as described in KIP-110.
  // Version 12 adds support for flexible versions, epoch detection through the `TruncationOffset` field,
  // and leader discovery through the `CurrentLeader` field
  //
  // Version 13 replaces the topic name field with topic ID (KIP-516).
  //
  // Version 14 is the same as version 13 but it also receives a new error called OffsetMovedToTieredStorageException (KIP-405)
  //
  // Version 15 is the same as version 14 (KIP-903).
  //
  // Version 16 adds the 'NodeEndpoints' field (KIP-951).
  //
  // Version 17 no changes to the response (KIP-853).
  validVersions: '0-17',
  flexibleVersions: '12+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '7+', ignorable: true },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0', ignorable: false },
    {
      name: 'Responses', type: '[]FetchableTopicResponse', versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0-12', ignorable: true },
        { name: 'TopicId', type: 'uuid', versions: '13+', ignorable: true },
        {
          name: 'Partitions', type: '[]PartitionData', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'HighWatermark', type: 'int64', versions: '0+' },
            { name: 'LastStableOffset', type: 'int64', versions: '4+', default: '-1', ignorable: true },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1', ignorable: true },
            {
              name: 'DivergingEpoch', type: 'EpochEndOffset', versions: '12+', taggedVersions: '12+', tag: 0,
              fields: [
                { name: 'Epoch', type: 'int32', versions: '12+', default: '-1' },
                { name: 'EndOffset', type: 'int64', versions: '12+', default: '-1' },
              ],
            },
            {
              name: 'CurrentLeader', type: 'LeaderIdAndEpoch', versions: '12+', taggedVersions: '12+', tag: 1,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '12+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '12+', default: '-1' },
              ],
            },
            {
              name: 'SnapshotId', type: 'SnapshotId', versions: '12+', taggedVersions: '12+', tag: 2,
              fields: [
                { name: 'EndOffset', type: 'int64', versions: '0+', default: '-1' },
                { name: 'Epoch', type: 'int32', versions: '0+', default: '-1' },
              ],
            },
            {
              name: 'AbortedTransactions', type: '[]AbortedTransaction', versions: '4+', nullableVersions: '4+', ignorable: true,
              fields: [
                { name: 'ProducerId', type: 'int64', versions: '4+' },
                { name: 'FirstOffset', type: 'int64', versions: '4+' },
              ],
            },
            { name: 'PreferredReadReplica', type: 'int32', versions: '11+', default: '-1', ignorable: false },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    {
      name: 'NodeEndpoints', type: '[]NodeEndpoint', versions: '16+', taggedVersions: '16+', tag: 0,
      fields: [
        { name: 'NodeId', type: 'int32', versions: '16+' },
        { name: 'Host', type: 'string', versions: '16+' },
        { name: 'Port', type: 'int32', versions: '16+' },
        { name: 'Rack', type: 'string', versions: '16+', nullableVersions: '16+', default: 'null' },
      ],
    },
  ],
};

/** FetchResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface FetchResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The top level response error code. (v7+; ignorable) */
  errorCode?: number;
  /** The fetch session ID, or 0 if this is not part of a fetch session. (v7+; default "0") */
  sessionId?: number;
  /** The response topics. (v0+) */
  responses: FetchableTopicResponse[];
  /** Endpoints for all current-leaders enumerated in PartitionData, with errors NOT_LEADER_OR_FOLLOWER & FENCED_LEADER_EPOCH. (v16+; tag 0 in v16+) */
  nodeEndpoints?: FetchResponseNodeEndpoint[];
}

/** The response topics. (an element of FetchResponse.Responses) */
export interface FetchableTopicResponse {
  /** The topic name. (v0-12; ignorable) */
  topic?: string;
  /** The unique topic ID (v13+; ignorable) */
  topicId?: string;
  /** The topic partitions. (v0+) */
  partitions: FetchResponsePartitionData[];
}

/** The topic partitions. (an element of FetchResponse.Responses.Partitions) */
export interface FetchResponsePartitionData {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no fetch error. (v0+) */
  errorCode: number;
  /** The current high water mark. (v0+) */
  highWatermark: bigint;
  /** The last stable offset (or LSO) of the partition. This is the last offset such that the state of all transactional records prior to this offset have been decided (ABORTED or COMMITTED) (v4+; default "-1"; ignorable) */
  lastStableOffset?: bigint;
  /** The current log start offset. (v5+; default "-1"; ignorable) */
  logStartOffset?: bigint;
  /** In case divergence is detected based on the `LastFetchedEpoch` and `FetchOffset` in the request, this field indicates the largest epoch and its end offset such that subsequent records are known to diverge (v12+; tag 0 in v12+) */
  divergingEpoch?: FetchResponseEpochEndOffset;
  /** (v12+; tag 1 in v12+) */
  currentLeader?: FetchResponseLeaderIdAndEpoch;
  /** In the case of fetching an offset less than the LogStartOffset, this is the end offset and epoch that should be used in the FetchSnapshot request. (v12+; tag 2 in v12+) */
  snapshotId?: FetchResponseSnapshotId;
  /** The aborted transactions. (v4+; nullable v4+; ignorable) */
  abortedTransactions?: FetchResponseAbortedTransaction[] | null;
  /** The preferred read replica for the consumer to use on its next fetch request (v11+; default "-1") */
  preferredReadReplica?: number;
  /** The record data. (v0+; nullable v0+) */
  records: Buffer | null;
}

/** In case divergence is detected based on the `LastFetchedEpoch` and `FetchOffset` in the request, this field indicates the largest epoch and its end offset such that subsequent records are known to diverge (FetchResponse.Responses.Partitions.DivergingEpoch) */
export interface FetchResponseEpochEndOffset {
  /** (v12+; default "-1") */
  epoch?: number;
  /** (v12+; default "-1") */
  endOffset?: bigint;
}

/** CurrentLeader (FetchResponse.Responses.Partitions.CurrentLeader) */
export interface FetchResponseLeaderIdAndEpoch {
  /** The ID of the current leader or -1 if the leader is unknown. (v12+; default "-1") */
  leaderId?: number;
  /** The latest known leader epoch (v12+; default "-1") */
  leaderEpoch?: number;
}

/** In the case of fetching an offset less than the LogStartOffset, this is the end offset and epoch that should be used in the FetchSnapshot request. (FetchResponse.Responses.Partitions.SnapshotId) */
export interface FetchResponseSnapshotId {
  /** (v0+; default "-1") */
  endOffset?: bigint;
  /** (v0+; default "-1") */
  epoch?: number;
}

/** The aborted transactions. (an element of FetchResponse.Responses.Partitions.AbortedTransactions) */
export interface FetchResponseAbortedTransaction {
  /** The producer id associated with the aborted transaction. (v4+) */
  producerId: bigint;
  /** The first offset in the aborted transaction. (v4+) */
  firstOffset: bigint;
}

/** Endpoints for all current-leaders enumerated in PartitionData, with errors NOT_LEADER_OR_FOLLOWER & FENCED_LEADER_EPOCH. (an element of FetchResponse.NodeEndpoints) */
export interface FetchResponseNodeEndpoint {
  /** The ID of the associated node. (v16+) */
  nodeId: number;
  /** The node's hostname. (v16+) */
  host: string;
  /** The node's port. (v16+) */
  port: number;
  /** The rack of the node, or null if it has not been assigned to a rack. (v16+; nullable v16+; default "null") */
  rack?: string | null;
}
