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
// Derived from Apache Kafka's message schemas InitProducerIdRequest.json and InitProducerIdResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// InitProducerIdRequest (API key 22)

export const InitProducerIdRequestSchema: MessageSchema<InitProducerIdRequest> = {
  apiKey: 22,
  type: 'request',
  name: 'InitProducerIdRequest',
  // Version 1 is the same as version 0.
  //
  // Version 2 is the first flexible version.
  //
  // Version 3 adds ProducerId and ProducerEpoch, allowing producers to try to resume after an INVALID_PRODUCER_EPOCH error
  //
  // Version 4 adds the support for new error code PRODUCER_FENCED.
  //
  // Verison 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '3+', default: '-1' },
    { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: '-1' },
  ],
};

/** InitProducerIdRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface InitProducerIdRequest {
  /** The transactional id, or null if the producer is not transactional. (v0+; nullable v0+) */
  transactionalId: string | null;
  /** The time in ms to wait before aborting idle transactions sent by this producer. This is only relevant if a TransactionalId has been defined. (v0+) */
  transactionTimeoutMs: number;
  /** The producer id. This is used to disambiguate requests if a transactional id is reused following its expiration. (v3+; default "-1") */
  producerId?: bigint;
  /** The producer's current epoch. This will be checked against the producer epoch on the broker, and the request will return an error if they do not match. (v3+; default "-1") */
  producerEpoch?: number;
}

// -------------------------------------------------------------------------------------------------
// InitProducerIdResponse (API key 22)

export const InitProducerIdResponseSchema: MessageSchema<InitProducerIdResponse> = {
  apiKey: 22,
  type: 'response',
  name: 'InitProducerIdResponse',
  // Starting in version 1, on quota violation, brokers send out responses before throttling.
  //
  // Version 2 is the first flexible version.
  //
  // Version 3 is the same as version 2.
  //
  // Version 4 adds the support for new error code PRODUCER_FENCED.
  //
  // Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+', ignorable: true },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
  ],
};

/** InitProducerIdResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface InitProducerIdResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v0+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (v0+) */
  errorCode: number;
  /** The current producer id. (v0+; default -1) */
  producerId?: bigint;
  /** The current epoch associated with the producer id. (v0+) */
  producerEpoch: number;
}
