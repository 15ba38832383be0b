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
// Derived from Apache Kafka's message schemas RequestHeader.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

export const RequestHeaderSchema: MessageSchema<RequestHeader> = {
  type: 'header',
  name: 'RequestHeader',
  // Version 0 of the RequestHeader is only used by v0 of ControlledShutdownRequest.
  //
  // Version 1 is the first version with ClientId.
  //
  // Version 2 is the first flexible version.
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'RequestApiKey', type: 'int16', versions: '0+' },
    { name: 'RequestApiVersion', type: 'int16', versions: '0+' },
    { name: 'CorrelationId', type: 'int32', versions: '0+' },
    // The ClientId string must be serialized with the old-style two-byte length prefix.
    // The reason is that older brokers must be able to read the request header for any
    // ApiVersionsRequest, even if it is from a newer version.
    // Since the client is sending the ApiVersionsRequest in order to discover what
    // versions are supported, the client does not know the best version to use.
    { name: 'ClientId', type: 'string', versions: '1+', nullableVersions: '1+', ignorable: true, flexibleVersions: 'none' },
  ],
};

/** RequestHeader, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface RequestHeader {
  /** The API key of this request. (v0+) */
  requestApiKey: number;
  /** The API version of this request. (v0+) */
  requestApiVersion: number;
  /** The correlation ID of this request. (v0+) */
  correlationId: number;
  /** The client ID string. (v1+; nullable v1+; ignorable) */
  clientId?: string | null;
}
