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
// Derived from Apache Kafka's message schemas DescribeGroupsRequest.json and DescribeGroupsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// DescribeGroupsRequest (API key 15)

export const DescribeGroupsRequestSchema: MessageSchema<DescribeGroupsRequest> = {
  apiKey: 15,
  type: 'request',
  name: 'DescribeGroupsRequest',
  // Versions 1 and 2 are the same as version 0.
  //
  // Starting in version 3, authorized operations can be requested.
  //
  // Starting in version 4, the response will include group.instance.id info for members.
  //
  // Version 5 is the first flexible version.
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'Groups', type: '[]string', versions: '0+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '3+' },
  ],
};

/** DescribeGroupsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DescribeGroupsRequest {
  /** The names of the groups to describe (v0+) */
  groups: string[];
  /** Whether to include authorized operations. (v3+) */
  includeAuthorizedOperations?: boolean;
}

// -------------------------------------------------------------------------------------------------
// DescribeGroupsResponse (API key 15)

export const DescribeGroupsResponseSchema: MessageSchema<DescribeGroupsResponse> = {
  apiKey: 15,
  type: 'response',
  name: 'DescribeGroupsResponse',
  // Version 1 added throttle time.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Starting in version 3, brokers can send authorized operations.
  //
  // Starting in version 4, the response will optionally include group.instance.id info for members.
  //
  // Version 5 is the first flexible version.
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    {
      name: 'Groups', type: '[]DescribedGroup', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        // ProtocolData is currently only filled in if the group state is in the Stable state.
        { name: 'ProtocolData', type: 'string', versions: '0+' },
        // N.B. If the group is in the Dead state, the members array will always be empty.
        {
          name: 'Members', type: '[]DescribedGroupMember', versions: '0+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '0+' },
            { name: 'GroupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: 'null', ignorable: true },
            { name: 'ClientId', type: 'string', versions: '0+' },
            { name: 'ClientHost', type: 'string', versions: '0+' },
            // This is currently only provided if the group is in the Stable state.
            { name: 'MemberMetadata', type: 'bytes', versions: '0+' },
            // This is currently only provided if the group is in the Stable state.
            { name: 'MemberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '3+', default: '-2147483648' },
      ],
    },
  ],
};

/** DescribeGroupsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DescribeGroupsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** Each described group. (v0+) */
  groups: DescribeGroupsResponseDescribedGroup[];
}

/** Each described group. (an element of DescribeGroupsResponse.Groups) */
export interface DescribeGroupsResponseDescribedGroup {
  /** The describe error, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The group ID string. (v0+) */
  groupId: string;
  /** The group state string, or the empty string. (v0+) */
  groupState: string;
  /** The group protocol type, or the empty string. (v0+) */
  protocolType: string;
  /** The group protocol data, or the empty string. (v0+) */
  protocolData: string;
  /** The group members. (v0+) */
  members: DescribeGroupsResponseDescribedGroupMember[];
  /** 32-bit bitfield to represent authorized operations for this group. (v3+; default "-2147483648") */
  authorizedOperations?: number;
}

/** The group members. (an element of DescribeGroupsResponse.Groups.Members) */
export interface DescribeGroupsResponseDescribedGroupMember {
  /** The member ID assigned by the group coordinator. (v0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (v4+; nullable v4+; default "null"; ignorable) */
  groupInstanceId?: string | null;
  /** The client ID used in the member's latest join group request. (v0+) */
  clientId: string;
  /** The client host. (v0+) */
  clientHost: string;
  /** The metadata corresponding to the current group protocol in use. (v0+) */
  memberMetadata: Buffer;
  /** The current assignment provided by the group leader. (v0+) */
  memberAssignment: Buffer;
}
