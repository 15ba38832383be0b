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
// Derived from Apache Kafka's message schemas DeleteGroupsRequest.json and DeleteGroupsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// DeleteGroupsRequest (API key 42)

export const DeleteGroupsRequestSchema: MessageSchema<DeleteGroupsRequest> = {
  apiKey: 42,
  type: 'request',
  name: 'DeleteGroupsRequest',
  // Version 1 is the same as version 0.
  //
  // Version 2 is the first flexible version.
  validVersions: '0-2',
  deprecatedVersions: '0',
  flexibleVersions: '2+',
  fields: [
    { name: 'GroupsNames', type: '[]string', versions: '0+' },
  ],
};

/** DeleteGroupsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DeleteGroupsRequest {
  /** The group names to delete. (v0+) */
  groupsNames: string[];
}

// -------------------------------------------------------------------------------------------------
// DeleteGroupsResponse (API key 42)

export const DeleteGroupsResponseSchema: MessageSchema<DeleteGroupsResponse> = {
  apiKey: 42,
  type: 'response',
  name: 'DeleteGroupsResponse',
  // Starting in version 1, on quota violation, brokers send out responses before throttling.
  //
  // Version 2 is the first flexible version.
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]DeletableGroupResult', versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
};

/** DeleteGroupsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DeleteGroupsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v0+) */
  throttleTimeMs: number;
  /** The deletion results (v0+) */
  results: DeleteGroupsResponseDeletableGroupResult[];
}

/** The deletion results (an element of DeleteGroupsResponse.Results) */
export interface DeleteGroupsResponseDeletableGroupResult {
  /** The group id (v0+) */
  groupId: string;
  /** The deletion error, or 0 if the deletion succeeded. (v0+) */
  errorCode: number;
}
