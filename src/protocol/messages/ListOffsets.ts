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
// Derived from Apache Kafka's message schemas ListOffsetsRequest.json and ListOffsetsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// ListOffsetsRequest (API key 2)

export const ListOffsetsRequestSchema: MessageSchema<ListOffsetsRequest> = {
  apiKey: 2,
  type: 'request',
  name: 'ListOffsetsRequest',
  // Version 1 removes MaxNumOffsets.  From this version forward, only a single
  // offset can be returned.
  //
  // Version 2 adds the isolation level, which is used for transactional reads.
  //
  // Version 3 is the same as version 2.
  //
  // Version 4 adds the current leader epoch, which is used for fencing.
  //
  // Version 5 is the same as version 4.
  //
  // Version 6 enables flexible versions.
  //
  // Version 7 enables listing offsets by max timestamp (KIP-734).
  //
  // Version 8 enables listing offsets by local log start offset (KIP-405).
  //
  // Version 9 enables listing offsets by last tiered offset (KIP-1005).
  validVersions: '0-9',
  deprecatedVersions: '0',
  flexibleVersions: '6+',
  latestVersionUnstable: false,
  fields: [
    { name: 'ReplicaId', type: 'int32', versions: '0+' },
    { name: 'IsolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'Topics', type: '[]ListOffsetsTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]ListOffsetsPartition', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '4+', default: '-1', ignorable: true },
            { name: 'Timestamp', type: 'int64', versions: '0+' },
            { name: 'MaxNumOffsets', type: 'int32', versions: '0', default: '1' },
          ],
        },
      ],
    },
  ],
};

/** ListOffsetsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ListOffsetsRequest {
  /** The broker ID of the requester, or -1 if this request is being made by a normal consumer. (v0+) */
  replicaId: number;
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records (v2+) */
  isolationLevel?: number;
  /** Each topic in the request. (v0+) */
  topics: ListOffsetsTopic[];
}

/** Each topic in the request. (an element of ListOffsetsRequest.Topics) */
export interface ListOffsetsTopic {
  /** The topic name. (v0+) */
  name: string;
  /** Each partition in the request. (v0+) */
  partitions: ListOffsetsPartition[];
}

/** Each partition in the request. (an element of ListOffsetsRequest.Topics.Partitions) */
export interface ListOffsetsPartition {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The current leader epoch. (v4+; default "-1"; ignorable) */
  currentLeaderEpoch?: number;
  /** The current timestamp. (v0+) */
  timestamp: bigint;
  /** The maximum number of offsets to report. (v0; default "1") */
  maxNumOffsets?: number;
}

// -------------------------------------------------------------------------------------------------
// ListOffsetsResponse (API key 2)

export const ListOffsetsResponseSchema: MessageSchema<ListOffsetsResponse> = {
  apiKey: 2,
  type: 'response',
  name: 'ListOffsetsResponse',
  // Version 1 removes the offsets array in favor of returning a single offset.
  // Version 1 also adds the timestamp associated with the returned offset.
  //
  // Version 2 adds the throttle time.
  //
  // Starting in version 3, on quota violation, brokers send out responses before throttling.
  //
  // Version 4 adds the leader epoch, which is used for fencing.
  //
  // Version 5 adds a new error code, OFFSET_NOT_AVAILABLE.
  //
  // Version 6 enables flexible versions.
  //
  // Version 7 is the same as version 6 (KIP-734).
  //
  // Version 8 enables listing offsets by local log start offset.
  // This is the earliest log start offset in the local log. (KIP-405).
  //
  // Version 9 enables listing offsets by last tiered offset (KIP-1005).
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    {
      name: 'Topics', type: '[]ListOffsetsTopicResponse', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions', type: '[]ListOffsetsPartitionResponse', versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'OldStyleOffsets', type: '[]int64', versions: '0', ignorable: false },
            { name: 'Timestamp', type: 'int64', versions: '1+', default: '-1', ignorable: false },
            { name: 'Offset', type: 'int64', versions: '1+', default: '-1', ignorable: false },
            { name: 'LeaderEpoch', type: 'int32', versions: '4+', default: '-1' },
          ],
        },
      ],
    },
  ],
};

/** ListOffsetsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ListOffsetsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v2+; ignorable) */
  throttleTimeMs?: number;
  /** Each topic in the response. (v0+) */
  topics: ListOffsetsTopicResponse[];
}

/** Each topic in the response. (an element of ListOffsetsResponse.Topics) */
export interface ListOffsetsTopicResponse {
  /** The topic name (v0+) */
  name: string;
  /** Each partition in the response. (v0+) */
  partitions: ListOffsetsPartitionResponse[];
}

/** Each partition in the response. (an element of ListOffsetsResponse.Topics.Partitions) */
export interface ListOffsetsPartitionResponse {
  /** The partition index. (v0+) */
  partitionIndex: number;
  /** The partition error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The result offsets. (v0) */
  oldStyleOffsets?: bigint[];
  /** The timestamp associated with the returned offset. (v1+; default "-1") */
  timestamp?: bigint;
  /** The returned offset. (v1+; default "-1") */
  offset?: bigint;
  /** (v4+; default "-1") */
  leaderEpoch?: number;
}
