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
// Derived from Apache Kafka's message schemas SaslAuthenticateRequest.json and SaslAuthenticateResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// SaslAuthenticateRequest (API key 36)

export const SaslAuthenticateRequestSchema: MessageSchema<SaslAuthenticateRequest> = {
  apiKey: 36,
  type: 'request',
  name: 'SaslAuthenticateRequest',
  // Version 1 is the same as version 0.
  // Version 2 adds flexible version support
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'AuthBytes', type: 'bytes', versions: '0+' },
  ],
};

/** SaslAuthenticateRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface SaslAuthenticateRequest {
  /** The SASL authentication bytes from the client, as defined by the SASL mechanism. (v0+) */
  authBytes: Buffer;
}

// -------------------------------------------------------------------------------------------------
// SaslAuthenticateResponse (API key 36)

export const SaslAuthenticateResponseSchema: MessageSchema<SaslAuthenticateResponse> = {
  apiKey: 36,
  type: 'response',
  name: 'SaslAuthenticateResponse',
  // Version 1 adds the session lifetime.
  // Version 2 adds flexible version support
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'AuthBytes', type: 'bytes', versions: '0+' },
    { name: 'SessionLifetimeMs', type: 'int64', versions: '1+', default: '0', ignorable: true },
  ],
};

/** SaslAuthenticateResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface SaslAuthenticateResponse {
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (v0+; nullable v0+) */
  errorMessage: string | null;
  /** The SASL authentication bytes from the server, as defined by the SASL mechanism. (v0+) */
  authBytes: Buffer;
  /** Number of milliseconds after which only re-authentication over the existing connection to create a new session can occur. (v1+; default "0"; ignorable) */
  sessionLifetimeMs?: bigint;
}
