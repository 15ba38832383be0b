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
// Derived from Apache Kafka's message schemas ListGroupsRequest.json and ListGroupsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// ListGroupsRequest (API key 16)

export const ListGroupsRequestSchema: MessageSchema<ListGroupsRequest> = {
  apiKey: 16,
  type: 'request',
  name: 'ListGroupsRequest',
  // Version 1 and 2 are the same as version 0.
  //
  // Version 3 is the first flexible version.
  //
  // Version 4 adds the StatesFilter field (KIP-518).
  //
  // Version 5 adds the TypesFilter field (KIP-848).
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'StatesFilter', type: '[]string', versions: '4+' },
    { name: 'TypesFilter', type: '[]string', versions: '5+' },
  ],
};

/** ListGroupsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ListGroupsRequest {
  /** The states of the groups we want to list. If empty, all groups are returned with their state. (v4+) */
  statesFilter?: string[];
  /** The types of the groups we want to list. If empty, all groups are returned with their type. (v5+) */
  typesFilter?: string[];
}

// -------------------------------------------------------------------------------------------------
// ListGroupsResponse (API key 16)

export const ListGroupsResponseSchema: MessageSchema<ListGroupsResponse> = {
  apiKey: 16,
  type: 'response',
  name: 'ListGroupsResponse',
  // Version 1 adds the throttle time.
  //
  // Starting in version 2, on quota violation, brokers send out
  // responses before throttling.
  //
  // Version 3 is the first flexible version.
  //
  // Version 4 adds the GroupState field (KIP-518).
  //
  // Version 5 adds the GroupType field (KIP-848).
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Groups', type: '[]ListedGroup', versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '4+', ignorable: true },
        { name: 'GroupType', type: 'string', versions: '5+', ignorable: true },
      ],
    },
  ],
};

/** ListGroupsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ListGroupsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** Each group in the response. (v0+) */
  groups: ListGroupsResponseListedGroup[];
}

/** Each group in the response. (an element of ListGroupsResponse.Groups) */
export interface ListGroupsResponseListedGroup {
  /** The group ID. (v0+) */
  groupId: string;
  /** The group protocol type. (v0+) */
  protocolType: string;
  /** The group state name. (v4+; ignorable) */
  groupState?: string;
  /** The group type name. (v5+; ignorable) */
  groupType?: string;
}
