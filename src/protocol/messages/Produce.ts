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
// Derived from Apache Kafka's message schemas ProduceRequest.json and ProduceResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// ProduceRequest (API key 0)

export const ProduceRequestSchema: MessageSchema<ProduceRequest> = {
  apiKey: 0,
  type: 'request',
  name: 'ProduceRequest',
  // Version 1 and 2 are the same as version 0.
  //
  // Version 3 adds the transactional ID, which is used for authorization when attempting to write
  // transactional data.  Version 3 also adds support for Kafka Message Format v2.
  //
  // Version 4 is the same as version 3, but the requester must be prepared to handle a
  // KAFKA_STORAGE_ERROR.
  //
  // Version 5 and 6 are the same as version 3.
  //
  // Starting in version 7, records can be produced using ZStandard compression.  See KIP-110.
  //
  // Starting in Version 8, response has RecordErrors and ErrorMessage. See KIP-467.
  //
  // Version 9 enables flexible versions.
  //
  // Version 10 is the same as version 9 (KIP-951).
  //
  // Version 11 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  validVersions: '0-11',
  deprecatedVersions: '0-6',
  flexibleVersions: '9+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    { name: 'Acks', type: 'int16', versions: '0+' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'TopicData', type: '[]TopicProduceData', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'PartitionData', type: '[]PartitionProduceData', versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};

/** ProduceRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ProduceRequest {
  /** The transactional ID, or null if the producer is not transactional. (v3+; nullable v3+; default "null") */
  transactionalId?: string | null;
  /** The number of acknowledgments the producer requires the leader to have received before considering a request complete. Allowed values: 0 for no acknowledgments, 1 for only the leader and -1 for the full ISR. (v0+) */
  acks: number;
  /** The timeout to await a response in milliseconds. (v0+) */
  timeoutMs: number;
  /** Each topic to produce to. (v0+) */
  topicData: ProduceRequestTopicProduceData[];
}

/** Each topic to produce to. (an element of ProduceRequest.TopicData) */
export interface ProduceRequestTopicProduceData {
  /** The topic name. (v0+) */
  name: string;
  /** Each partition to produce to. (v0+) */
  partitionData: ProduceRequestPartitionProduceData[];
}

/** Each partition to produce to. (an element of ProduceRequest.TopicData.PartitionData) */
export interface ProduceRequestPartitionProduceData {
  /** The partition index. (v0+) */
  index: number;
  /** The record data to be produced. (v0+; nullable v0+) */
  records: Buffer | null;
}

// -------------------------------------------------------------------------------------------------
// ProduceResponse (API key 0)

export const ProduceResponseSchema: MessageSchema<ProduceResponse> = {
  apiKey: 0,
  type: 'response',
  name: 'ProduceResponse',
  // Version 1 added the throttle time.
  //
  // Version 2 added the log append time.
  //
  // Version 3 is the same as version 2.
  //
  // Version 4 added KAFKA_STORAGE_ERROR as a possible error code.
  //
  // Version 5 added LogStartOffset to filter out spurious
  // OutOfOrderSequenceExceptions on the client.
  //
  // Version 8 added RecordErrors and ErrorMessage to include information about
  // records that cause the whole batch to be dropped.  See KIP-467 for details.
  //
  // Version 9 enables flexible versions.
  //
  // Version 10 adds 'CurrentLeader' and 'NodeEndpoints' as tagged fields (KIP-951)
  //
  // Version 11 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  validVersions: '0-11',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'Responses', type: '[]TopicProduceResponse', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'PartitionResponses', type: '[]PartitionProduceResponse', versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'BaseOffset', type: 'int64', versions: '0+' },
            { name: 'LogAppendTimeMs', type: 'int64', versions: '2+', default: '-1', ignorable: true },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1', ignorable: true },
            {
              name: 'RecordErrors', type: '[]BatchIndexAndErrorMessage', versions: '8+', ignorable: true,
              fields: [
                { name: 'BatchIndex', type: 'int32', versions: '8+' },
                { name: 'BatchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null' },
              ],
            },
            { name: 'ErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null', ignorable: true },
            {
              name: 'CurrentLeader', type: 'LeaderIdAndEpoch', versions: '10+', taggedVersions: '10+', tag: 0,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '10+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '10+', default: '-1' },
              ],
            },
          ],
        },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', default: '0', ignorable: true },
    {
      name: 'NodeEndpoints', type: '[]NodeEndpoint', versions: '10+', taggedVersions: '10+', tag: 0,
      fields: [
        { name: 'NodeId', type: 'int32', versions: '10+' },
        { name: 'Host', type: 'string', versions: '10+' },
        { name: 'Port', type: 'int32', versions: '10+' },
        { name: 'Rack', type: 'string', versions: '10+', nullableVersions: '10+', default: 'null' },
      ],
    },
  ],
};

/** ProduceResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ProduceResponse {
  /** Each produce response (v0+) */
  responses: ProduceResponseTopicProduceResponse[];
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; default "0"; ignorable) */
  throttleTimeMs?: number;
  /** Endpoints for all current-leaders enumerated in PartitionProduceResponses, with errors NOT_LEADER_OR_FOLLOWER. (v10+; tag 0 in v10+) */
  nodeEndpoints?: ProduceResponseNodeEndpoint[];
}

/** Each produce response (an element of ProduceResponse.Responses) */
export interface ProduceResponseTopicProduceResponse {
  /** The topic name (v0+) */
  name: string;
  /** Each partition that we produced to within the topic. (v0+) */
  partitionResponses: ProduceResponsePartitionProduceResponse[];
}

/** Each partition that we produced to within the topic. (an element of ProduceResponse.Responses.PartitionResponses) */
export interface ProduceResponsePartitionProduceResponse {
  /** The partition index. (v0+) */
  index: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The base offset. (v0+) */
  baseOffset: bigint;
  /** The timestamp returned by broker after appending the messages. If CreateTime is used for the topic, the timestamp will be -1.  If LogAppendTime is used for the topic, the timestamp will be the broker local time when the messages are appended. (v2+; default "-1"; ignorable) */
  logAppendTimeMs?: bigint;
  /** The log start offset. (v5+; default "-1"; ignorable) */
  logStartOffset?: bigint;
  /** The batch indices of records that caused the batch to be dropped (v8+; ignorable) */
  recordErrors?: ProduceResponseBatchIndexAndErrorMessage[];
  /** The global error message summarizing the common root cause of the records that caused the batch to be dropped (v8+; nullable v8+; default "null"; ignorable) */
  errorMessage?: string | null;
  /** (v10+; tag 0 in v10+) */
  currentLeader?: ProduceResponseLeaderIdAndEpoch;
}

/** The batch indices of records that caused the batch to be dropped (an element of ProduceResponse.Responses.PartitionResponses.RecordErrors) */
export interface ProduceResponseBatchIndexAndErrorMessage {
  /** The batch index of the record that cause the batch to be dropped (v8+) */
  batchIndex: number;
  /** The error message of the record that caused the batch to be dropped (v8+; nullable v8+; default "null") */
  batchIndexErrorMessage?: string | null;
}

/** CurrentLeader (ProduceResponse.Responses.PartitionResponses.CurrentLeader) */
export interface ProduceResponseLeaderIdAndEpoch {
  /** The ID of the current leader or -1 if the leader is unknown. (v10+; default "-1") */
  leaderId?: number;
  /** The latest known leader epoch (v10+; default "-1") */
  leaderEpoch?: number;
}

/** Endpoints for all current-leaders enumerated in PartitionProduceResponses, with errors NOT_LEADER_OR_FOLLOWER. (an element of ProduceResponse.NodeEndpoints) */
export interface ProduceResponseNodeEndpoint {
  /** The ID of the associated node. (v10+) */
  nodeId: number;
  /** The node's hostname. (v10+) */
  host: string;
  /** The node's port. (v10+) */
  port: number;
  /** The rack of the node, or null if it has not been assigned to a rack. (v10+; nullable v10+; default "null") */
  rack?: string | null;
}
