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
// Derived from Apache Kafka's message schemas JoinGroupRequest.json and JoinGroupResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// JoinGroupRequest (API key 11)

export const JoinGroupRequestSchema: MessageSchema<JoinGroupRequest> = {
  apiKey: 11,
  type: 'request',
  name: 'JoinGroupRequest',
  // Version 1 adds RebalanceTimeoutMs.
  //
  // Version 2 and 3 are the same as version 1.
  //
  // Starting from version 4, the client needs to issue a second request to join group
  //
  // Starting from version 5, we add a new field called groupInstanceId to indicate member identity across restarts.
  // with assigned id.
  //
  // Version 6 is the first flexible version.
  //
  // Version 7 is the same as version 6.
  //
  // Version 8 adds the Reason field (KIP-800).
  //
  // Version 9 is the same as version 8.
  validVersions: '0-9',
  deprecatedVersions: '0-1',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'SessionTimeoutMs', type: 'int32', versions: '0+' },
    // Note: if RebalanceTimeoutMs is not present, SessionTimeoutMs should be
    // used instead.  The default of -1 here is just intended as a placeholder.
    { name: 'RebalanceTimeoutMs', type: 'int32', versions: '1+', default: '-1', ignorable: true },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolType', type: 'string', versions: '0+' },
    {
      name: 'Protocols', type: '[]JoinGroupRequestProtocol', versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
    { name: 'Reason', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null', ignorable: true },
  ],
};

/** JoinGroupRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface JoinGroupRequest {
  /** The group identifier. (v0+) */
  groupId: string;
  /** The coordinator considers the consumer dead if it receives no heartbeat after this timeout in milliseconds. (v0+) */
  sessionTimeoutMs: number;
  /** The maximum time in milliseconds that the coordinator will wait for each member to rejoin when rebalancing the group. (v1+; default "-1"; ignorable) */
  rebalanceTimeoutMs?: number;
  /** The member id assigned by the group coordinator. (v0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (v5+; nullable v5+; default "null") */
  groupInstanceId?: string | null;
  /** The unique name the for class of protocols implemented by the group we want to join. (v0+) */
  protocolType: string;
  /** The list of protocols that the member supports. (v0+) */
  protocols: JoinGroupRequestProtocol[];
  /** The reason why the member (re-)joins the group. (v8+; nullable v8+; default "null"; ignorable) */
  reason?: string | null;
}

/** The list of protocols that the member supports. (an element of JoinGroupRequest.Protocols) */
export interface JoinGroupRequestProtocol {
  /** The protocol name. (v0+) */
  name: string;
  /** The protocol metadata. (v0+) */
  metadata: Buffer;
}

// -------------------------------------------------------------------------------------------------
// JoinGroupResponse (API key 11)

export const JoinGroupResponseSchema: MessageSchema<JoinGroupResponse> = {
  apiKey: 11,
  type: 'response',
  name: 'JoinGroupResponse',
  // Version 1 is the same as version 0.
  //
  // Version 2 adds throttle time.
  //
  // Starting in version 3, on quota violation, brokers send out responses before throttling.
  //
  // Starting in version 4, the client needs to issue a second request to join group
  // with assigned id.
  //
  // Version 5 is bumped to apply group.instance.id to identify member across restarts.
  //
  // Version 6 is the first flexible version.
  //
  // Starting from version 7, the broker sends back the Protocol Type to the client (KIP-559).
  //
  // Version 8 is the same as version 7.
  //
  // Version 9 adds the SkipAssignment field.
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+', default: '-1' },
    { name: 'ProtocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null', ignorable: true },
    { name: 'ProtocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'Leader', type: 'string', versions: '0+' },
    { name: 'SkipAssignment', type: 'bool', versions: '9+', default: 'false' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    {
      name: 'Members', type: '[]JoinGroupResponseMember', versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null', ignorable: true },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};

/** JoinGroupResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface JoinGroupResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v2+; ignorable) */
  throttleTimeMs?: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The generation ID of the group. (v0+; default "-1") */
  generationId?: number;
  /** The group protocol name. (v7+; nullable v7+; default "null"; ignorable) */
  protocolType?: string | null;
  /** The group protocol selected by the coordinator. (v0+; nullable v7+) */
  protocolName: string | null;
  /** The leader of the group. (v0+) */
  leader: string;
  /** True if the leader must skip running the assignment. (v9+; default "false") */
  skipAssignment?: boolean;
  /** The member ID assigned by the group coordinator. (v0+) */
  memberId: string;
  /** (v0+) */
  members: JoinGroupResponseMember[];
}

/** Members (an element of JoinGroupResponse.Members) */
export interface JoinGroupResponseMember {
  /** The group member ID. (v0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (v5+; nullable v5+; default "null"; ignorable) */
  groupInstanceId?: string | null;
  /** The group member metadata. (v0+) */
  metadata: Buffer;
}
