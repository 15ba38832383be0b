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
// Derived from Apache Kafka's message schemas CreatePartitionsRequest.json and CreatePartitionsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// CreatePartitionsRequest (API key 37)

export const CreatePartitionsRequestSchema: MessageSchema<CreatePartitionsRequest> = {
  apiKey: 37,
  type: 'request',
  name: 'CreatePartitionsRequest',
  // Version 1 is the same as version 0.
  //
  // Version 2 adds flexible version support
  //
  // Version 3 is identical to version 2 but may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the partitions creation is throttled (KIP-599).
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'Topics', type: '[]CreatePartitionsTopic', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Count', type: 'int32', versions: '0+' },
        {
          name: 'Assignments', type: '[]CreatePartitionsAssignment', versions: '0+', nullableVersions: '0+',
          fields: [
            { name: 'BrokerIds', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
};

/** CreatePartitionsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface CreatePartitionsRequest {
  /** Each topic that we want to create new partitions inside. (v0+) */
  topics: CreatePartitionsTopic[];
  /** The time in ms to wait for the partitions to be created. (v0+) */
  timeoutMs: number;
  /** If true, then validate the request, but don't actually increase the number of partitions. (v0+) */
  validateOnly: boolean;
}

/** Each topic that we want to create new partitions inside. (an element of CreatePartitionsRequest.Topics) */
export interface CreatePartitionsTopic {
  /** The topic name. (v0+) */
  name: string;
  /** The new partition count. (v0+) */
  count: number;
  /** The new partition assignments. (v0+; nullable v0+) */
  assignments: CreatePartitionsAssignment[] | null;
}

/** The new partition assignments. (an element of CreatePartitionsRequest.Topics.Assignments) */
export interface CreatePartitionsAssignment {
  /** The assigned broker IDs. (v0+) */
  brokerIds: number[];
}

// -------------------------------------------------------------------------------------------------
// CreatePartitionsResponse (API key 37)

export const CreatePartitionsResponseSchema: MessageSchema<CreatePartitionsResponse> = {
  apiKey: 37,
  type: 'response',
  name: 'CreatePartitionsResponse',
  // Starting in version 1, on quota violation, brokers send out responses before throttling.
  //
  // Version 2 adds flexible version support
  //
  // Version 3 is identical to version 2 but may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the partitions creation is throttled (KIP-599).
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]CreatePartitionsTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
      ],
    },
  ],
};

/** CreatePartitionsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface CreatePartitionsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v0+) */
  throttleTimeMs: number;
  /** The partition creation results for each topic. (v0+) */
  results: CreatePartitionsTopicResult[];
}

/** The partition creation results for each topic. (an element of CreatePartitionsResponse.Results) */
export interface CreatePartitionsTopicResult {
  /** The topic name. (v0+) */
  name: string;
  /** The result error, or zero if there was no error. (v0+) */
  errorCode: number;
  /** The result message, or null if there was no error. (v0+; nullable v0+; default "null") */
  errorMessage?: string | null;
}
