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
// Derived from Apache Kafka's message schemas MetadataRequest.json and MetadataResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// MetadataRequest (API key 3)

export const MetadataRequestSchema: MessageSchema<MetadataRequest> = {
  apiKey: 3,
  type: 'request',
  name: 'MetadataRequest',
  validVersions: '0-12',
  deprecatedVersions: '0-3',
  flexibleVersions: '9+',
  fields: [
    // In version 0, an empty array indicates "request metadata for all topics."  In version 1 and
    // higher, an empty array indicates "request metadata for no topics," and a null array is used to
    // indicate "request metadata for all topics."
    //
    // Version 2 and 3 are the same as version 1.
    //
    // Version 4 adds AllowAutoTopicCreation.
    //
    // Starting in version 8, authorized operations can be requested for cluster and topic resource.
    //
    // Version 9 is the first flexible version.
    //
    // Version 10 adds topicId and allows name field to be null. However, this functionality was not implemented on the server.
    // Versions 10 and 11 should not use the topicId field or set topic name to null.
    //
    // Version 11 deprecates IncludeClusterAuthorizedOperations field. This is now exposed
    // by the DescribeCluster API (KIP-700).
    // Version 12 supports topic Id.
    {
      name: 'Topics', type: '[]MetadataRequestTopic', versions: '0+', nullableVersions: '1+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '10+', ignorable: true },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '10+' },
      ],
    },
    { name: 'AllowAutoTopicCreation', type: 'bool', versions: '4+', default: 'true', ignorable: false },
    { name: 'IncludeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'IncludeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
};

/** MetadataRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface MetadataRequest {
  /** The topics to fetch metadata for. (v0+; nullable v1+) */
  topics: MetadataRequestTopic[] | null;
  /** If this is true, the broker may auto-create topics that we requested which do not already exist, if it is configured to do so. (v4+; default "true") */
  allowAutoTopicCreation?: boolean;
  /** Whether to include cluster authorized operations. (v8-10) */
  includeClusterAuthorizedOperations?: boolean;
  /** Whether to include topic authorized operations. (v8+) */
  includeTopicAuthorizedOperations?: boolean;
}

/** The topics to fetch metadata for. (an element of MetadataRequest.Topics) */
export interface MetadataRequestTopic {
  /** The topic id. (v10+; ignorable) */
  topicId?: string;
  /** The topic name. (v0+; nullable v10+) */
  name: string | null;
}

// -------------------------------------------------------------------------------------------------
// MetadataResponse (API key 3)

export const MetadataResponseSchema: MessageSchema<MetadataResponse> = {
  apiKey: 3,
  type: 'response',
  name: 'MetadataResponse',
  // Version 1 adds fields for the rack of each broker, the controller id, and
  // whether or not the topic is internal.
  //
  // Version 2 adds the cluster ID field.
  //
  // Version 3 adds the throttle time.
  //
  // Version 4 is the same as version 3.
  //
  // Version 5 adds a per-partition offline_replicas field. This field specifies
  // the list of replicas that are offline.
  //
  // Starting in version 6, on quota violation, brokers send out responses before throttling.
  //
  // Version 7 adds the leader epoch to the partition metadata.
  //
  // Starting in version 8, brokers can send authorized operations for topic and cluster.
  //
  // Version 9 is the first flexible version.
  //
  // Version 10 adds topicId.
  //
  // Version 11 deprecates ClusterAuthorizedOperations. This is now exposed
  // by the DescribeCluster API (KIP-700).
  // Version 12 supports topicId.
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+', ignorable: true },
    {
      name: 'Brokers', type: '[]MetadataResponseBroker', versions: '0+',
      fields: [
        { name: 'NodeId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '1+', nullableVersions: '1+', default: 'null', ignorable: true },
      ],
    },
    { name: 'ClusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: 'null', ignorable: true },
    { name: 'ControllerId', type: 'int32', versions: '1+', default: '-1', ignorable: true },
    {
      name: 'Topics', type: '[]MetadataResponseTopic', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'TopicId', type: 'uuid', versions: '10+', ignorable: true },
        { name: 'IsInternal', type: 'bool', versions: '1+', default: 'false', ignorable: true },
        {
          name: 'Partitions', type: '[]MetadataResponsePartition', versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LeaderId', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '7+', default: '-1', ignorable: true },
            { name: 'ReplicaNodes', type: '[]int32', versions: '0+' },
            { name: 'IsrNodes', type: '[]int32', versions: '0+' },
            { name: 'OfflineReplicas', type: '[]int32', versions: '5+', ignorable: true },
          ],
        },
        { name: 'TopicAuthorizedOperations', type: 'int32', versions: '8+', default: '-2147483648' },
      ],
    },
    { name: 'ClusterAuthorizedOperations', type: 'int32', versions: '8-10', default: '-2147483648' },
  ],
};

/** MetadataResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface MetadataResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v3+; ignorable) */
  throttleTimeMs?: number;
  /** A list of brokers present in the cluster. (v0+) */
  brokers: MetadataResponseBroker[];
  /** The cluster ID that responding broker belongs to. (v2+; nullable v2+; default "null"; ignorable) */
  clusterId?: string | null;
  /** The ID of the controller broker. (v1+; default "-1"; ignorable) */
  controllerId?: number;
  /** Each topic in the response. (v0+) */
  topics: MetadataResponseTopic[];
  /** 32-bit bitfield to represent authorized operations for this cluster. (v8-10; default "-2147483648") */
  clusterAuthorizedOperations?: number;
}

/** A list of brokers present in the cluster. (an element of MetadataResponse.Brokers) */
export interface MetadataResponseBroker {
  /** The broker ID. (v0+) */
  nodeId: number;
  /** The broker hostname. (v0+) */
  host: string;
  /** The broker port. (v0+) */
  port: number;
  /** The rack of the broker, or null if it has not been assigned to a rack. (v1+; nullable v1+; default "null"; ignorable) */
  rack?: string | null;
}

/** Each topic in the response. (an element of MetadataResponse.Topics) */
export interface MetadataResponseTopic {
  /** The topic error, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The topic name. Null for non-existing topics queried by ID. This is never null when ErrorCode is zero. One of Name and TopicId is always populated. (v0+; nullable v12+) */
  name: string | null;
  /** The topic id. Zero for non-existing topics queried by name. This is never zero when ErrorCode is zero. One of Name and TopicId is always populated. (v10+; ignorable) */
  topicId?: string;
  /** True if the topic is internal. (v1+; default "false"; ignorable) */
  isInternal?: boolean;
  /** Each partition in the topic. (v0+) */
  partitions: MetadataResponsePartition[];
  /** 32-bit bitfield to represent authorized operations for this topic. (v8+; default "-2147483648") */
  topicAuthorizedOperations?: number;
}

/** Each partition in the topic. (an element of MetadataResponse.Topics.Partitions) */
export interface MetadataResponsePartition {
  /** The partition error, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The ID of the leader broker. (v0+) */
  leaderId: number;
  /** The leader epoch of this partition. (v7+; default "-1"; ignorable) */
  leaderEpoch?: number;
  /** The set of all nodes that host this partition. (v0+) */
  replicaNodes: number[];
  /** The set of nodes that are in sync with the leader for this partition. (v0+) */
  isrNodes: number[];
  /** The set of offline replicas of this partition. (v5+; ignorable) */
  offlineReplicas?: number[];
}
