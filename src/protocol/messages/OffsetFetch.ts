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
// Derived from Apache Kafka's message schemas OffsetFetchRequest.json and OffsetFetchResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// OffsetFetchRequest (API key 9)

export const OffsetFetchRequestSchema: MessageSchema<OffsetFetchRequest> = {
  apiKey: 9,
  type: 'request',
  name: 'OffsetFetchRequest',
  // In version 0, the request read offsets from ZK.
  //
  // Starting in version 1, the broker supports fetching offsets from the internal __consumer_offsets topic.
  //
  // Starting in version 2, the request can contain a null topics array to indicate that offsets
  // for all topics should be fetched. It also returns a top level error code
  // for group or coordinator level errors.
  //
  // Version 3, 4, and 5 are the same as version 2.
  //
  // Version 6 is the first flexible version.
  //
  // Version 7 is adding the require stable flag.
  //
  // Version 8 is adding support for fetching offsets for multiple groups at a time.
  //
  // Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). It adds
  // the MemberId and MemberEpoch fields. Those are filled in and validated when the new consumer protocol is used.
  validVersions: '0-9',
  deprecatedVersions: '0',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0-7' },
    {
      name: 'Topics', type: '[]OffsetFetchRequestTopic', versions: '0-7', nullableVersions: '2-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
    {
      name: 'Groups', type: '[]OffsetFetchRequestGroup', versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        { name: 'MemberId', type: 'string', versions: '9+', nullableVersions: '9+', default: 'null', ignorable: true },
        { name: 'MemberEpoch', type: 'int32', versions: '9+', default: '-1', ignorable: true },
        {
          name: 'Topics', type: '[]OffsetFetchRequestTopics', versions: '8+', nullableVersions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
          ],
        },
      ],
    },
    { name: 'RequireStable', type: 'bool', versions: '7+', default: 'false' },
  ],
};

/** OffsetFetchRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface OffsetFetchRequest {
  /** The group to fetch offsets for. (v0-7) */
  groupId?: string;
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (v0-7; nullable v2-7) */
  topics?: OffsetFetchRequestTopic[] | null;
  /** Each group we would like to fetch offsets for (v8+) */
  groups?: OffsetFetchRequestGroup[];
  /** Whether broker should hold on returning unstable offsets but set a retriable error code for the partitions. (v7+; default "false") */
  requireStable?: boolean;
}

/** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (an element of OffsetFetchRequest.Topics) */
export interface OffsetFetchRequestTopic {
  /** The topic name. (v0-7) */
  name: string;
  /** The partition indexes we would like to fetch offsets for. (v0-7) */
  partitionIndexes: number[];
}

/** Each group we would like to fetch offsets for (an element of OffsetFetchRequest.Groups) */
export interface OffsetFetchRequestGroup {
  /** The group ID. (v8+) */
  groupId: string;
  /** The member ID assigned by the group coordinator if using the new consumer protocol (KIP-848). (v9+; nullable v9+; default "null"; ignorable) */
  memberId?: string | null;
  /** The member epoch if using the new consumer protocol (KIP-848). (v9+; default "-1"; ignorable) */
  memberEpoch?: number;
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (v8+; nullable v8+) */
  topics: OffsetFetchRequestTopics[] | null;
}

/** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (an element of OffsetFetchRequest.Groups.Topics) */
export interface OffsetFetchRequestTopics {
  /** The topic name. (v8+) */
  name: string;
  /** The partition indexes we would like to fetch offsets for. (v8+) */
  partitionIndexes: number[];
}

// -------------------------------------------------------------------------------------------------
// OffsetFetchResponse (API key 9)

export const OffsetFetchResponseSchema: MessageSchema<OffsetFetchResponse> = {
  apiKey: 9,
  type: 'response',
  name: 'OffsetFetchResponse',
  // Version 1 is the same as version 0.
  //
  // Version 2 adds a top-level error code.
  //
  // Version 3 adds the throttle time.
  //
  // Starting in version 4, on quota violation, brokers send out responses before throttling.
  //
  // Version 5 adds the leader epoch to the committed offset.
  //
  // Version 6 is the first flexible version.
  //
  // Version 7 adds pending offset commit as new error response on partition level.
  //
  // Version 8 is adding support for fetching offsets for multiple groups
  //
  // Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The response is
  // the same as version 8 but can return STALE_MEMBER_EPOCH and UNKNOWN_MEMBER_ID errors when the new consumer group
  // protocol is used.
  validVersions: '0-9',
  flexibleVersions: '6+',
  // Supported errors:
  // - GROUP_AUTHORIZATION_FAILED (version 0+)
  // - NOT_COORDINATOR (version 0+)
  // - COORDINATOR_NOT_AVAILABLE (version 0+)
  // - COORDINATOR_LOAD_IN_PROGRESS (version 0+)
  // - GROUP_ID_NOT_FOUND (version 0+)
  // - UNSTABLE_OFFSET_COMMIT (version 7+)
  // - UNKNOWN_MEMBER_ID (version 9+)
  // - STALE_MEMBER_EPOCH (version 9+)
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+', ignorable: true },
    {
      name: 'Topics', type: '[]OffsetFetchResponseTopic', versions: '0-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        {
          name: 'Partitions', type: '[]OffsetFetchResponsePartition', versions: '0-7',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
            { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: '-1', ignorable: true },
            { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'ErrorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'ErrorCode', type: 'int16', versions: '2-7', default: '0', ignorable: true },
    {
      name: 'Groups', type: '[]OffsetFetchResponseGroup', versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        {
          name: 'Topics', type: '[]OffsetFetchResponseTopics', versions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8+' },
            {
              name: 'Partitions', type: '[]OffsetFetchResponsePartitions', versions: '8+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: '-1', ignorable: true },
                { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                { name: 'ErrorCode', type: 'int16', versions: '8+' },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '8+', default: '0' },
      ],
    },
  ],
};

/** OffsetFetchResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface OffsetFetchResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v3+; ignorable) */
  throttleTimeMs?: number;
  /** The responses per topic. (v0-7) */
  topics?: OffsetFetchResponseTopic[];
  /** The top-level error code, or 0 if there was no error. (v2-7; default "0"; ignorable) */
  errorCode?: number;
  /** The responses per group id. (v8+) */
  groups?: OffsetFetchResponseGroup[];
}

/** The responses per topic. (an element of OffsetFetchResponse.Topics) */
export interface OffsetFetchResponseTopic {
  /** The topic name. (v0-7) */
  name: string;
  /** The responses per partition (v0-7) */
  partitions: OffsetFetchResponsePartition[];
}

/** The responses per partition (an element of OffsetFetchResponse.Topics.Partitions) */
export interface OffsetFetchResponsePartition {
  /** The partition index. (v0-7) */
  partitionIndex: number;
  /** The committed message offset. (v0-7) */
  committedOffset: bigint;
  /** The leader epoch. (v5-7; default "-1"; ignorable) */
  committedLeaderEpoch?: number;
  /** The partition metadata. (v0-7; nullable v0-7) */
  metadata: string | null;
  /** The error code, or 0 if there was no error. (v0-7) */
  errorCode: number;
}

/** The responses per group id. (an element of OffsetFetchResponse.Groups) */
export interface OffsetFetchResponseGroup {
  /** The group ID. (v8+) */
  groupId: string;
  /** The responses per topic. (v8+) */
  topics: OffsetFetchResponseTopics[];
  /** The group-level error code, or 0 if there was no error. (v8+; default "0") */
  errorCode?: number;
}

/** The responses per topic. (an element of OffsetFetchResponse.Groups.Topics) */
export interface OffsetFetchResponseTopics {
  /** The topic name. (v8+) */
  name: string;
  /** The responses per partition (v8+) */
  partitions: OffsetFetchResponsePartitions[];
}

/** The responses per partition (an element of OffsetFetchResponse.Groups.Topics.Partitions) */
export interface OffsetFetchResponsePartitions {
  /** The partition index. (v8+) */
  partitionIndex: number;
  /** The committed message offset. (v8+) */
  committedOffset: bigint;
  /** The leader epoch. (v8+; default "-1"; ignorable) */
  committedLeaderEpoch?: number;
  /** The partition metadata. (v8+; nullable v8+) */
  metadata: string | null;
  /** The partition-level error code, or 0 if there was no error. (v8+) */
  errorCode: number;
}
