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
// Derived from Apache Kafka's message schemas CreateTopicsRequest.json and CreateTopicsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// CreateTopicsRequest (API key 19)

export const CreateTopicsRequestSchema: MessageSchema<CreateTopicsRequest> = {
  apiKey: 19,
  type: 'request',
  name: 'CreateTopicsRequest',
  // Version 1 adds validateOnly.
  //
  // Version 4 makes partitions/replicationFactor optional even when assignments are not present (KIP-464)
  //
  // Version 5 is the first flexible version.
  // Version 5 also returns topic configs in the response (KIP-525).
  //
  // Version 6 is identical to version 5 but may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the topics creation is throttled (KIP-599).
  //
  // Version 7 is the same as version 6.
  validVersions: '0-7',
  deprecatedVersions: '0-1',
  flexibleVersions: '5+',
  fields: [
    {
      name: 'Topics', type: '[]CreatableTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'NumPartitions', type: 'int32', versions: '0+' },
        { name: 'ReplicationFactor', type: 'int16', versions: '0+' },
        {
          name: 'Assignments', type: '[]CreatableReplicaAssignment', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'BrokerIds', type: '[]int32', versions: '0+' },
          ],
        },
        {
          name: 'Configs', type: '[]CreatableTopicConfig', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: '60000' },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: 'false', ignorable: false },
  ],
};

/** CreateTopicsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface CreateTopicsRequest {
  /** The topics to create. (v0+) */
  topics: CreateTopicsRequestCreatableTopic[];
  /** How long to wait in milliseconds before timing out the request. (v0+; default "60000") */
  timeoutMs?: number;
  /** If true, check that the topics can be created as specified, but don't create anything. (v1+; default "false") */
  validateOnly?: boolean;
}

/** The topics to create. (an element of CreateTopicsRequest.Topics) */
export interface CreateTopicsRequestCreatableTopic {
  /** The topic name. (v0+) */
  name: string;
  /** The number of partitions to create in the topic, or -1 if we are either specifying a manual partition assignment or using the default partitions. (v0+) */
  numPartitions: number;
  /** The number of replicas to create for each partition in the topic, or -1 if we are either specifying a manual partition assignment or using the default replication factor. (v0+) */
  replicationFactor: number;
  /** The manual partition assignment, or the empty array if we are using automatic assignment. (v0+) */
  assignments: CreateTopicsRequestCreatableReplicaAssignment[];
  /** The custom topic configurations to set. (v0+) */
  configs: CreateTopicsRequestCreatableTopicConfig[];
}

/** The manual partition assignment, or the empty array if we are using automatic assignment. (an element of CreateTopicsRequest.Topics.Assignments) */
export interface CreateTopicsRequestCreatableReplicaAssignment {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The brokers to place the partition on. (v0+) */
  brokerIds: number[];
}

/** The custom topic configurations to set. (an element of CreateTopicsRequest.Topics.Configs) */
export interface CreateTopicsRequestCreatableTopicConfig {
  /** The configuration name. (v0+) */
  name: string;
  /** The configuration value. (v0+; nullable v0+) */
  value: string | null;
}

// -------------------------------------------------------------------------------------------------
// CreateTopicsResponse (API key 19)

export const CreateTopicsResponseSchema: MessageSchema<CreateTopicsResponse> = {
  apiKey: 19,
  type: 'response',
  name: 'CreateTopicsResponse',
  // Version 1 adds a per-topic error message string.
  //
  // Version 2 adds the throttle time.
  //
  // Starting in version 3, on quota violation, brokers send out responses before throttling.
  //
  // Version 4 makes partitions/replicationFactor optional even when assignments are not present (KIP-464).
  //
  // Version 5 is the first flexible version.
  // Version 5 also returns topic configs in the response (KIP-525).
  //
  // Version 6 is identical to version 5 but may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the topics creation is throttled (KIP-599).
  //
  // Version 7 returns the topic ID of the newly created topic if creation is successful.
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    {
      name: 'Topics', type: '[]CreatableTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'TopicId', type: 'uuid', versions: '7+', ignorable: true },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '0+', ignorable: true },
        { name: 'TopicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0, ignorable: true },
        { name: 'NumPartitions', type: 'int32', versions: '5+', default: '-1', ignorable: true },
        { name: 'ReplicationFactor', type: 'int16', versions: '5+', default: '-1', ignorable: true },
        {
          name: 'Configs', type: '[]CreatableTopicConfigs', versions: '5+', nullableVersions: '5+', ignorable: true,
          fields: [
            { name: 'Name', type: 'string', versions: '5+' },
            { name: 'Value', type: 'string', versions: '5+', nullableVersions: '5+' },
            { name: 'ReadOnly', type: 'bool', versions: '5+' },
            { name: 'ConfigSource', type: 'int8', versions: '5+', default: '-1', ignorable: true },
            { name: 'IsSensitive', type: 'bool', versions: '5+' },
          ],
        },
      ],
    },
  ],
};

/** CreateTopicsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface CreateTopicsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v2+; ignorable) */
  throttleTimeMs?: number;
  /** Results for each topic we tried to create. (v0+) */
  topics: CreateTopicsResponseCreatableTopicResult[];
}

/** Results for each topic we tried to create. (an element of CreateTopicsResponse.Topics) */
export interface CreateTopicsResponseCreatableTopicResult {
  /** The topic name. (v0+) */
  name: string;
  /** The unique topic ID (v7+; ignorable) */
  topicId?: string;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (v1+; nullable v0+; ignorable) */
  errorMessage?: string | null;
  /** Optional topic config error returned if configs are not returned in the response. (v5+; tag 0 in v5+; ignorable) */
  topicConfigErrorCode?: number;
  /** Number of partitions of the topic. (v5+; default "-1"; ignorable) */
  numPartitions?: number;
  /** Replication factor of the topic. (v5+; default "-1"; ignorable) */
  replicationFactor?: number;
  /** Configuration of the topic. (v5+; nullable v5+; ignorable) */
  configs?: CreateTopicsResponseCreatableTopicConfigs[] | null;
}

/** Configuration of the topic. (an element of CreateTopicsResponse.Topics.Configs) */
export interface CreateTopicsResponseCreatableTopicConfigs {
  /** The configuration name. (v5+) */
  name: string;
  /** The configuration value. (v5+; nullable v5+) */
  value: string | null;
  /** True if the configuration is read-only. (v5+) */
  readOnly: boolean;
  /** The configuration source. (v5+; default "-1"; ignorable) */
  configSource?: number;
  /** True if this configuration is sensitive. (v5+) */
  isSensitive: boolean;
}
