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
// Derived from Apache Kafka's message schemas HeartbeatRequest.json and HeartbeatResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// HeartbeatRequest (API key 12)

export const HeartbeatRequestSchema: MessageSchema<HeartbeatRequest> = {
  apiKey: 12,
  type: 'request',
  name: 'HeartbeatRequest',
  // Version 1 and version 2 are the same as version 0.
  //
  // Starting from version 3, we add a new field called groupInstanceId to indicate member identity across restarts.
  //
  // Version 4 is the first flexible version.
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
  ],
};

/** HeartbeatRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface HeartbeatRequest {
  /** The group id. (v0+) */
  groupId: string;
  /** The generation of the group. (v0+) */
  generationId: number;
  /** The member ID. (v0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (v3+; nullable v3+; default "null") */
  groupInstanceId?: string | null;
}

// -------------------------------------------------------------------------------------------------
// HeartbeatResponse (API key 12)

export const HeartbeatResponseSchema: MessageSchema<HeartbeatResponse> = {
  apiKey: 12,
  type: 'response',
  name: 'HeartbeatResponse',
  // Version 1 adds throttle time.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Starting from version 3, heartbeatRequest supports a new field called groupInstanceId to indicate member identity across restarts.
  //
  // Version 4 is the first flexible version.
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
};

/** HeartbeatResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface HeartbeatResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
}
