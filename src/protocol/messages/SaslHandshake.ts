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
// Derived from Apache Kafka's message schemas SaslHandshakeRequest.json and SaslHandshakeResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// SaslHandshakeRequest (API key 17)

export const SaslHandshakeRequestSchema: MessageSchema<SaslHandshakeRequest> = {
  apiKey: 17,
  type: 'request',
  name: 'SaslHandshakeRequest',
  // Version 1 supports SASL_AUTHENTICATE.
  // NOTE: Version cannot be easily bumped due to incorrect
  // client negotiation for clients <= 2.4.
  // See https://issues.apache.org/jira/browse/KAFKA-9577
  validVersions: '0-1',
  deprecatedVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'Mechanism', type: 'string', versions: '0+' },
  ],
};

/** SaslHandshakeRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface SaslHandshakeRequest {
  /** The SASL mechanism chosen by the client. (v0+) */
  mechanism: string;
}

// -------------------------------------------------------------------------------------------------
// SaslHandshakeResponse (API key 17)

export const SaslHandshakeResponseSchema: MessageSchema<SaslHandshakeResponse> = {
  apiKey: 17,
  type: 'response',
  name: 'SaslHandshakeResponse',
  // Version 1 is the same as version 0.
  // NOTE: Version cannot be easily bumped due to incorrect
  // client negotiation for clients <= 2.4.
  // See https://issues.apache.org/jira/browse/KAFKA-9577
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'Mechanisms', type: '[]string', versions: '0+' },
  ],
};

/** SaslHandshakeResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface SaslHandshakeResponse {
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The mechanisms enabled in the server. (v0+) */
  mechanisms: string[];
}
