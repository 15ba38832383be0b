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
// Derived from Apache Kafka's message schemas DeleteTopicsRequest.json and DeleteTopicsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// DeleteTopicsRequest (API key 20)

export const DeleteTopicsRequestSchema: MessageSchema<DeleteTopicsRequest> = {
  apiKey: 20,
  type: 'request',
  name: 'DeleteTopicsRequest',
  // Versions 0, 1, 2, and 3 are the same.
  //
  // Version 4 is the first flexible version.
  //
  // Version 5 adds ErrorMessage in the response and may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the topics deletion is throttled (KIP-599).
  //
  // Version 6 reorganizes topics, adds topic IDs and allows topic names to be null.
  validVersions: '0-6',
  deprecatedVersions: '0',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'Topics', type: '[]DeleteTopicState', versions: '6+',
      fields: [
        { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+', default: 'null' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'TopicNames', type: '[]string', versions: '0-5', ignorable: true },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
};

/** DeleteTopicsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DeleteTopicsRequest {
  /** The name or topic ID of the topic (v6+) */
  topics?: DeleteTopicsRequestDeleteTopicState[];
  /** The names of the topics to delete (v0-5; ignorable) */
  topicNames?: string[];
  /** The length of time in milliseconds to wait for the deletions to complete. (v0+) */
  timeoutMs: number;
}

/** The name or topic ID of the topic (an element of DeleteTopicsRequest.Topics) */
export interface DeleteTopicsRequestDeleteTopicState {
  /** The topic name (v6+; nullable v6+; default "null") */
  name?: string | null;
  /** The unique topic ID (v6+) */
  topicId: string;
}

// -------------------------------------------------------------------------------------------------
// DeleteTopicsResponse (API key 20)

export const DeleteTopicsResponseSchema: MessageSchema<DeleteTopicsResponse> = {
  apiKey: 20,
  type: 'response',
  name: 'DeleteTopicsResponse',
  // Version 1 adds the throttle time.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Starting in version 3, a TOPIC_DELETION_DISABLED error code may be returned.
  //
  // Version 4 is the first flexible version.
  //
  // Version 5 adds ErrorMessage in the response and may return a THROTTLING_QUOTA_EXCEEDED error
  // in the response if the topics deletion is throttled (KIP-599).
  //
  // Version 6 adds topic ID to responses. An UNSUPPORTED_VERSION error code will be returned when attempting to
  // delete using topic IDs when IBP < 2.8. UNKNOWN_TOPIC_ID error code will be returned when IBP is at least 2.8, but
  // the topic ID was not found.
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    {
      name: 'Responses', type: '[]DeletableTopicResult', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'TopicId', type: 'uuid', versions: '6+', ignorable: true },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null', ignorable: true },
      ],
    },
  ],
};

/** DeleteTopicsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DeleteTopicsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The results for each topic we tried to delete. (v0+) */
  responses: DeleteTopicsResponseDeletableTopicResult[];
}

/** The results for each topic we tried to delete. (an element of DeleteTopicsResponse.Responses) */
export interface DeleteTopicsResponseDeletableTopicResult {
  /** The topic name (v0+; nullable v6+) */
  name: string | null;
  /** the unique topic ID (v6+; ignorable) */
  topicId?: string;
  /** The deletion error, or 0 if the deletion succeeded. (v0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (v5+; nullable v5+; default "null"; ignorable) */
  errorMessage?: string | null;
}
