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
// Derived from Apache Kafka's message schemas OffsetCommitRequest.json and OffsetCommitResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// OffsetCommitRequest (API key 8)

export const OffsetCommitRequestSchema: MessageSchema<OffsetCommitRequest> = {
  apiKey: 8,
  type: 'request',
  name: 'OffsetCommitRequest',
  // Version 1 adds timestamp and group membership information, as well as the commit timestamp.
  //
  // Version 2 adds retention time.  It removes the commit timestamp added in version 1.
  //
  // Version 3 and 4 are the same as version 2.
  //
  // Version 5 removes the retention time, which is now controlled only by a broker configuration.
  //
  // Version 6 adds the leader epoch for fencing.
  //
  // version 7 adds a new field called groupInstanceId to indicate member identity across restarts.
  //
  // Version 8 is the first flexible version.
  //
  // Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The
  // request is the same as version 8.
  validVersions: '0-9',
  deprecatedVersions: '0-1',
  flexibleVersions: '8+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationIdOrMemberEpoch', type: 'int32', versions: '1+', default: '-1', ignorable: true },
    { name: 'MemberId', type: 'string', versions: '1+', ignorable: true },
    { name: 'GroupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null' },
    { name: 'RetentionTimeMs', type: 'int64', versions: '2-4', default: '-1', ignorable: true },
    {
      name: 'Topics', type: '[]OffsetCommitRequestTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OffsetCommitRequestPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '6+', default: '-1', ignorable: true },
            // CommitTimestamp has been removed from v2 and later.
            { name: 'CommitTimestamp', type: 'int64', versions: '1', default: '-1' },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};

/** OffsetCommitRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface OffsetCommitRequest {
  /** The unique group identifier. (v0+) */
  groupId: string;
  /** The generation of the group if using the classic group protocol or the member epoch if using the consumer protocol. (v1+; default "-1"; ignorable) */
  generationIdOrMemberEpoch?: number;
  /** The member ID assigned by the group coordinator. (v1+; ignorable) */
  memberId?: string;
  /** The unique identifier of the consumer instance provided by end user. (v7+; nullable v7+; default "null") */
  groupInstanceId?: string | null;
  /** The time period in ms to retain the offset. (v2-4; default "-1"; ignorable) */
  retentionTimeMs?: bigint;
  /** The topics to commit offsets for. (v0+) */
  topics: OffsetCommitRequestTopic[];
}

/** The topics to commit offsets for. (an element of OffsetCommitRequest.Topics) */
export interface OffsetCommitRequestTopic {
  /** The topic name. (v0+) */
  name: string;
  /** Each partition to commit offsets for. (v0+) */
  partitions: OffsetCommitRequestPartition[];
}

/** Each partition to commit offsets for. (an element of OffsetCommitRequest.Topics.Partitions) */
export interface OffsetCommitRequestPartition {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The message offset to be committed. (v0+) */
  committedOffset: bigint;
  /** The leader epoch of this partition. (v6+; default "-1"; ignorable) */
  committedLeaderEpoch?: number;
  /** The timestamp of the commit. (v1; default "-1") */
  commitTimestamp?: bigint;
  /** Any associated metadata the client wants to keep. (v0+; nullable v0+) */
  committedMetadata: string | null;
}

// -------------------------------------------------------------------------------------------------
// OffsetCommitResponse (API key 8)

export const OffsetCommitResponseSchema: MessageSchema<OffsetCommitResponse> = {
  apiKey: 8,
  type: 'response',
  name: 'OffsetCommitResponse',
  // Versions 1 and 2 are the same as version 0.
  //
  // Version 3 adds the throttle time to the response.
  //
  // Starting in version 4, on quota violation, brokers send out responses before throttling.
  //
  // Versions 5 and 6 are the same as version 4.
  //
  // Version 7 offsetCommitRequest supports a new field called groupInstanceId to indicate member identity across restarts.
  //
  // Version 8 is the first flexible version.
  //
  // Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The response is
  // the same as version 8 but can return STALE_MEMBER_EPOCH when the new consumer group protocol is used and
  // GROUP_ID_NOT_FOUND when the group does not exist for both protocols.
  validVersions: '0-9',
  flexibleVersions: '8+',
  // Supported errors:
  // - GROUP_AUTHORIZATION_FAILED (version 0+)
  // - NOT_COORDINATOR (version 0+)
  // - COORDINATOR_NOT_AVAILABLE (version 0+)
  // - COORDINATOR_LOAD_IN_PROGRESS (version 0+)
  // - ILLEGAL_GENERATION (version 1+)
  // - UNKNOWN_MEMBER_ID (version 1+)
  // - INVALID_COMMIT_OFFSET_SIZE (version 0+)
  // - FENCED_MEMBER_EPOCH (version 7+)
  // - GROUP_ID_NOT_FOUND (version 9+)
  // - STALE_MEMBER_EPOCH (version 9+)
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+', ignorable: true },
    {
      name: 'Topics', type: '[]OffsetCommitResponseTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]OffsetCommitResponsePartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};

/** OffsetCommitResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface OffsetCommitResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v3+; ignorable) */
  throttleTimeMs?: number;
  /** The responses for each topic. (v0+) */
  topics: OffsetCommitResponseTopic[];
}

/** The responses for each topic. (an element of OffsetCommitResponse.Topics) */
export interface OffsetCommitResponseTopic {
  /** The topic name. (v0+) */
  name: string;
  /** The responses for each partition in the topic. (v0+) */
  partitions: OffsetCommitResponsePartition[];
}

/** The responses for each partition in the topic. (an element of OffsetCommitResponse.Topics.Partitions) */
export interface OffsetCommitResponsePartition {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
}
