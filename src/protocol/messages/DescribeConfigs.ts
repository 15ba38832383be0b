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
// Derived from Apache Kafka's message schemas DescribeConfigsRequest.json and DescribeConfigsResponse.json
// (https://github.com/apache/kafka, clients/src/main/resources/common/message/, tag 3.9.0-rc3,
// commit dd5272687e8adf9e79e3e329b1b3d2524afb6020), Apache License 2.0. The field data keeps
// Kafka's names, version ranges and defaults; the documentation-only keys (about, mapKey,
// entityType, zeroCopy, listeners) are dropped from the data and kept as doc comments on the
// TypeScript interfaces. Generated once from those files by a throwaway script.

import type { MessageSchema } from '../schema.js';

// -------------------------------------------------------------------------------------------------
// DescribeConfigsRequest (API key 32)

export const DescribeConfigsRequestSchema: MessageSchema<DescribeConfigsRequest> = {
  apiKey: 32,
  type: 'request',
  name: 'DescribeConfigsRequest',
  // Version 1 adds IncludeSynonyms.
  // Version 2 is the same as version 1.
  // Version 4 enables flexible versions.
  validVersions: '0-4',
  deprecatedVersions: '0',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'Resources', type: '[]DescribeConfigsResource', versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        { name: 'ConfigurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'IncludeSynonyms', type: 'bool', versions: '1+', default: 'false', ignorable: false },
    { name: 'IncludeDocumentation', type: 'bool', versions: '3+', default: 'false', ignorable: false },
  ],
};

/** DescribeConfigsRequest, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DescribeConfigsRequest {
  /** The resources whose configurations we want to describe. (v0+) */
  resources: DescribeConfigsResource[];
  /** True if we should include all synonyms. (v1+; default "false") */
  includeSynonyms?: boolean;
  /** True if we should include configuration documentation. (v3+; default "false") */
  includeDocumentation?: boolean;
}

/** The resources whose configurations we want to describe. (an element of DescribeConfigsRequest.Resources) */
export interface DescribeConfigsResource {
  /** The resource type. (v0+) */
  resourceType: number;
  /** The resource name. (v0+) */
  resourceName: string;
  /** The configuration keys to list, or null to list all configuration keys. (v0+; nullable v0+) */
  configurationKeys: string[] | null;
}

// -------------------------------------------------------------------------------------------------
// DescribeConfigsResponse (API key 32)

export const DescribeConfigsResponseSchema: MessageSchema<DescribeConfigsResponse> = {
  apiKey: 32,
  type: 'response',
  name: 'DescribeConfigsResponse',
  // Version 1 adds ConfigSource and the synonyms.
  // Starting in version 2, on quota violation, brokers send out responses before throttling.
  // Version 4 enables flexible versions.
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results', type: '[]DescribeConfigsResult', versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        {
          name: 'Configs', type: '[]DescribeConfigsResourceResult', versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'ReadOnly', type: 'bool', versions: '0+' },
            { name: 'IsDefault', type: 'bool', versions: '0' },
            // Note: the v0 default for this field that should be exposed to callers is
            // context-dependent. For example, if the resource is a broker, this should default to 4.
            // -1 is just a placeholder value.
            { name: 'ConfigSource', type: 'int8', versions: '1+', default: '-1', ignorable: true },
            { name: 'IsSensitive', type: 'bool', versions: '0+' },
            {
              name: 'Synonyms', type: '[]DescribeConfigsSynonym', versions: '1+', ignorable: true,
              fields: [
                { name: 'Name', type: 'string', versions: '1+' },
                { name: 'Value', type: 'string', versions: '1+', nullableVersions: '0+' },
                { name: 'Source', type: 'int8', versions: '1+' },
              ],
            },
            { name: 'ConfigType', type: 'int8', versions: '3+', default: '0', ignorable: true },
            { name: 'Documentation', type: 'string', versions: '3+', nullableVersions: '0+', ignorable: true },
          ],
        },
      ],
    },
  ],
};

/** DescribeConfigsResponse, all versions merged. Optional fields may be left out when encoding (their default is written); the decoder fills in every field. */
export interface DescribeConfigsResponse {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (v0+) */
  throttleTimeMs: number;
  /** The results for each resource. (v0+) */
  results: DescribeConfigsResult[];
}

/** The results for each resource. (an element of DescribeConfigsResponse.Results) */
export interface DescribeConfigsResult {
  /** The error code, or 0 if we were able to successfully describe the configurations. (v0+) */
  errorCode: number;
  /** The error message, or null if we were able to successfully describe the configurations. (v0+; nullable v0+) */
  errorMessage: string | null;
  /** The resource type. (v0+) */
  resourceType: number;
  /** The resource name. (v0+) */
  resourceName: string;
  /** Each listed configuration. (v0+) */
  configs: DescribeConfigsResourceResult[];
}

/** Each listed configuration. (an element of DescribeConfigsResponse.Results.Configs) */
export interface DescribeConfigsResourceResult {
  /** The configuration name. (v0+) */
  name: string;
  /** The configuration value. (v0+; nullable v0+) */
  value: string | null;
  /** True if the configuration is read-only. (v0+) */
  readOnly: boolean;
  /** True if the configuration is not set. (v0) */
  isDefault?: boolean;
  /** The configuration source. (v1+; default "-1"; ignorable) */
  configSource?: number;
  /** True if this configuration is sensitive. (v0+) */
  isSensitive: boolean;
  /** The synonyms for this configuration key. (v1+; ignorable) */
  synonyms?: DescribeConfigsSynonym[];
  /** The configuration data type. Type can be one of the following values - BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD (v3+; default "0"; ignorable) */
  configType?: number;
  /** The configuration documentation. (v3+; nullable v0+; ignorable) */
  documentation?: string | null;
}

/** The synonyms for this configuration key. (an element of DescribeConfigsResponse.Results.Configs.Synonyms) */
export interface DescribeConfigsSynonym {
  /** The synonym name. (v1+) */
  name: string;
  /** The synonym value. (v1+; nullable v0+) */
  value: string | null;
  /** The synonym source. (v1+) */
  source: number;
}
