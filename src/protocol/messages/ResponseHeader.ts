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
// Derived from Apache Kafka's message schemas ResponseHeader.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

export const ResponseHeaderSchema: MessageSchema<ResponseHeader> = {
  type: 'header',
  name: 'ResponseHeader',
  // Version 1 is the first flexible version.
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'CorrelationId', type: 'int32', versions: '0+' },
  ],
};

/** ResponseHeader, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ResponseHeader {
  /** The correlation ID of this response. (v0+) */
  correlationId: number;
}
