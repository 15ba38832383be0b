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
// Derived from Apache Kafka's message schemas FindCoordinatorRequest.json and FindCoordinatorResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// FindCoordinatorRequest (API key 10)

export const FindCoordinatorRequestSchema: MessageSchema<FindCoordinatorRequest> = {
  apiKey: 10,
  type: 'request',
  name: 'FindCoordinatorRequest',
  // Version 1 adds KeyType.
  //
  // Version 2 is the same as version 1.
  //
  // Version 3 is the first flexible version.
  //
  // Version 4 adds support for batching via CoordinatorKeys (KIP-699)
  //
  // Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  //
  // Version 6 adds support for share groups (KIP-932).
  validVersions: '0-6',
  deprecatedVersions: '0',
  flexibleVersions: '3+',
  fields: [
    { name: 'Key', type: 'string', versions: '0-3' },
    { name: 'KeyType', type: 'int8', versions: '1+', default: '0', ignorable: false },
    { name: 'CoordinatorKeys', type: '[]string', versions: '4+' },
  ],
};

/** FindCoordinatorRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface FindCoordinatorRequest {
  /** The coordinator key. (v0-3) */
  key?: string;
  /** The coordinator key type. (Group, transaction, etc.) (v1+; default "0") */
  keyType?: number;
  /** The coordinator keys. (v4+) */
  coordinatorKeys?: string[];
}

// -------------------------------------------------------------------------------------------------
// FindCoordinatorResponse (API key 10)

export const FindCoordinatorResponseSchema: MessageSchema<FindCoordinatorResponse> = {
  apiKey: 10,
  type: 'response',
  name: 'FindCoordinatorResponse',
  // Version 1 adds throttle time and error messages.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Version 3 is the first flexible version.
  //
  // Version 4 adds support for batching via Coordinators (KIP-699)
  //
  // Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  //
  // Version 6 adds support for share groups (KIP-932).
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0-3' },
    { name: 'ErrorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', ignorable: true },
    { name: 'NodeId', type: 'int32', versions: '0-3' },
    { name: 'Host', type: 'string', versions: '0-3' },
    { name: 'Port', type: 'int32', versions: '0-3' },
    {
      name: 'Coordinators', type: '[]Coordinator', versions: '4+',
      fields: [
        { name: 'Key', type: 'string', versions: '4+' },
        { name: 'NodeId', type: 'int32', versions: '4+' },
        { name: 'Host', type: 'string', versions: '4+' },
        { name: 'Port', type: 'int32', versions: '4+' },
        { name: 'ErrorCode', type: 'int16', versions: '4+' },
        { name: 'ErrorMessage', type: 'string', versions: '4+', nullableVersions: '4+', ignorable: true },
      ],
    },
  ],
};

/** FindCoordinatorResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface FindCoordinatorResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The error code, or 0 if there was no error. (v0-3) */
  errorCode?: number;
  /** The error message, or null if there was no error. (v1-3; nullable v1-3; ignorable) */
  errorMessage?: string | null;
  /** The node id. (v0-3) */
  nodeId?: number;
  /** The host name. (v0-3) */
  host?: string;
  /** The port. (v0-3) */
  port?: number;
  /** Each coordinator result in the response (v4+) */
  coordinators?: FindCoordinatorResponseCoordinator[];
}

/** Each coordinator result in the response (an element of FindCoordinatorResponse.Coordinators) */
export interface FindCoordinatorResponseCoordinator {
  /** The coordinator key. (v4+) */
  key: string;
  /** The node id. (v4+) */
  nodeId: number;
  /** The host name. (v4+) */
  host: string;
  /** The port. (v4+) */
  port: number;
  /** The error code, or 0 if there was no error. (v4+) */
  errorCode: number;
  /** The error message, or null if there was no error. (v4+; nullable v4+; ignorable) */
  errorMessage: string | null;
}
