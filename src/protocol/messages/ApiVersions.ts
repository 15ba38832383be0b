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
// Derived from Apache Kafka's message schemas ApiVersionsRequest.json and ApiVersionsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// ApiVersionsRequest (API key 18)

export const ApiVersionsRequestSchema: MessageSchema<ApiVersionsRequest> = {
  apiKey: 18,
  type: 'request',
  name: 'ApiVersionsRequest',
  // Versions 0 through 2 of ApiVersionsRequest are the same.
  //
  // Version 3 is the first flexible version and adds ClientSoftwareName and ClientSoftwareVersion.
  //
  // Version 4 fixes KAFKA-17011, which blocked SupportedFeatures.MinVersion in the response from being 0.
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'ClientSoftwareName', type: 'string', versions: '3+', ignorable: true },
    { name: 'ClientSoftwareVersion', type: 'string', versions: '3+', ignorable: true },
  ],
};

/** ApiVersionsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ApiVersionsRequest {
  /** The name of the client. (v3+; ignorable) */
  clientSoftwareName?: string;
  /** The version of the client. (v3+; ignorable) */
  clientSoftwareVersion?: string;
}

// -------------------------------------------------------------------------------------------------
// ApiVersionsResponse (API key 18)

export const ApiVersionsResponseSchema: MessageSchema<ApiVersionsResponse> = {
  apiKey: 18,
  type: 'response',
  name: 'ApiVersionsResponse',
  // Version 1 adds throttle time to the response.
  //
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  //
  // Version 3 is the first flexible version. Tagged fields are only supported in the body but
  // not in the header. The length of the header must not change in order to guarantee the
  // backward compatibility.
  //
  // Starting from Apache Kafka 2.4 (KIP-511), ApiKeys field is populated with the supported
  // versions of the ApiVersionsRequest when an UNSUPPORTED_VERSION error is returned.
  //
  // Version 4 fixes KAFKA-17011, which blocked SupportedFeatures.MinVersion from being 0.
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'ApiKeys', type: '[]ApiVersion', versions: '0+',
      fields: [
        { name: 'ApiKey', type: 'int16', versions: '0+' },
        { name: 'MinVersion', type: 'int16', versions: '0+' },
        { name: 'MaxVersion', type: 'int16', versions: '0+' },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    {
      name: 'SupportedFeatures', type: '[]SupportedFeatureKey', versions: '3+', taggedVersions: '3+', tag: 0, ignorable: true,
      fields: [
        { name: 'Name', type: 'string', versions: '3+' },
        { name: 'MinVersion', type: 'int16', versions: '3+' },
        { name: 'MaxVersion', type: 'int16', versions: '3+' },
      ],
    },
    { name: 'FinalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: '-1', ignorable: true },
    {
      name: 'FinalizedFeatures', type: '[]FinalizedFeatureKey', versions: '3+', taggedVersions: '3+', tag: 2, ignorable: true,
      fields: [
        { name: 'Name', type: 'string', versions: '3+' },
        { name: 'MaxVersionLevel', type: 'int16', versions: '3+' },
        { name: 'MinVersionLevel', type: 'int16', versions: '3+' },
      ],
    },
    { name: 'ZkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: 'false', ignorable: true },
  ],
};

/** ApiVersionsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface ApiVersionsResponse {
  /** The top-level error code. (v0+) */
  errorCode: number;
  /** The APIs supported by the broker. (v0+) */
  apiKeys: ApiVersionsResponseApiVersion[];
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v1+; ignorable) */
  throttleTimeMs?: number;
  /** Features supported by the broker. Note: in v0-v3, features with MinSupportedVersion = 0 are omitted. (v3+; tag 0 in v3+; ignorable) */
  supportedFeatures?: ApiVersionsResponseSupportedFeatureKey[];
  /** The monotonically increasing epoch for the finalized features information. Valid values are >= 0. A value of -1 is special and represents unknown epoch. (v3+; tag 1 in v3+; default "-1"; ignorable) */
  finalizedFeaturesEpoch?: bigint;
  /** List of cluster-wide finalized features. The information is valid only if FinalizedFeaturesEpoch >= 0. (v3+; tag 2 in v3+; ignorable) */
  finalizedFeatures?: ApiVersionsResponseFinalizedFeatureKey[];
  /** Set by a KRaft controller if the required configurations for ZK migration are present (v3+; tag 3 in v3+; default "false"; ignorable) */
  zkMigrationReady?: boolean;
}

/** The APIs supported by the broker. (an element of ApiVersionsResponse.ApiKeys) */
export interface ApiVersionsResponseApiVersion {
  /** The API index. (v0+) */
  apiKey: number;
  /** The minimum supported version, inclusive. (v0+) */
  minVersion: number;
  /** The maximum supported version, inclusive. (v0+) */
  maxVersion: number;
}

/** Features supported by the broker. Note: in v0-v3, features with MinSupportedVersion = 0 are omitted. (an element of ApiVersionsResponse.SupportedFeatures) */
export interface ApiVersionsResponseSupportedFeatureKey {
  /** The name of the feature. (v3+) */
  name: string;
  /** The minimum supported version for the feature. (v3+) */
  minVersion: number;
  /** The maximum supported version for the feature. (v3+) */
  maxVersion: number;
}

/** List of cluster-wide finalized features. The information is valid only if FinalizedFeaturesEpoch >= 0. (an element of ApiVersionsResponse.FinalizedFeatures) */
export interface ApiVersionsResponseFinalizedFeatureKey {
  /** The name of the feature. (v3+) */
  name: string;
  /** The cluster-wide finalized max version level for the feature. (v3+) */
  maxVersionLevel: number;
  /** The cluster-wide finalized min version level for the feature. (v3+) */
  minVersionLevel: number;
}
