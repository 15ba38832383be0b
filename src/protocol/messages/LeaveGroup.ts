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
// Derived from Apache Kafka's message schemas LeaveGroupRequest.json and LeaveGroupResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// LeaveGroupRequest (API key 13)

export const LeaveGroupRequestSchema: MessageSchema<LeaveGroupRequest> = {
  apiKey: 13,
  type: 'request',
  name: 'LeaveGroupRequest',
  // Version 1 and 2 are the same as version 0.
  //
  // Version 3 defines batch processing scheme with group.instance.id + member.id for identity
  //
  // Version 4 is the first flexible version.
  //
  // Version 5 adds the Reason field (KIP-800).
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0-2' },
    {
      name: 'Members', type: '[]MemberIdentity', versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
        { name: 'Reason', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null', ignorable: true },
      ],
    },
  ],
};

/** LeaveGroupRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface LeaveGroupRequest {
  /** The ID of the group to leave. (v0+) */
  groupId: string;
  /** The member ID to remove from the group. (v0-2) */
  memberId?: string;
  /** List of leaving member identities. (v3+) */
  members?: LeaveGroupRequestMemberIdentity[];
}

/** List of leaving member identities. (an element of LeaveGroupRequest.Members) */
export interface LeaveGroupRequestMemberIdentity {
  /** The member ID to remove from the group. (v3+) */
  memberId: string;
  /** The group instance ID to remove from the group. (v3+; nullable v3+; default "null") */
  groupInstanceId?: string | null;
  /** The reason why the member left the group. (v5+; nullable v5+; default "null"; ignorable) */
  reason?: string | null;
}

// -------------------------------------------------------------------------------------------------
// LeaveGroupResponse (API key 13)

export const LeaveGroupResponseSchema: MessageSchema<LeaveGroupResponse> = {
  apiKey: 13,
  type: 'response',
  name: 'LeaveGroupResponse',
  // Version 1 adds the throttle time.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Starting in version 3, we will make leave group request into batch mode and add group.instance.id.
  //
  // Version 4 is the first flexible version.
  //
  // Version 5 is the same as version 4.
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Members', type: '[]MemberResponse', versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'ErrorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
};

/** LeaveGroupResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface LeaveGroupResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** List of leaving member responses. (v3+) */
  members?: LeaveGroupResponseMemberResponse[];
}

/** List of leaving member responses. (an element of LeaveGroupResponse.Members) */
export interface LeaveGroupResponseMemberResponse {
  /** The member ID to remove from the group. (v3+) */
  memberId: string;
  /** The group instance ID to remove from the group. (v3+; nullable v3+) */
  groupInstanceId: string | null;
  /** The error code, or 0 if there was no error. (v3+) */
  errorCode: number;
}
