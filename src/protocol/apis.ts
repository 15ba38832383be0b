import * as M from './messages/index.js';
import type { MessageSchema } from './schema.js';
import { inVersions, parseVersions, type VersionRange } from './versions.js';

/** The API keys Tidelog speaks, by Kafka's API name. */
export const API_KEYS = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  DescribeConfigs: 32,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

export type ApiName = keyof typeof API_KEYS;
export type ApiKey = (typeof API_KEYS)[ApiName];

/** Request body shape (encoder input) per API key. */
export interface RequestBodies {
  0: M.ProduceRequest;
  1: M.FetchRequest;
  2: M.ListOffsetsRequest;
  3: M.MetadataRequest;
  8: M.OffsetCommitRequest;
  9: M.OffsetFetchRequest;
  10: M.FindCoordinatorRequest;
  11: M.JoinGroupRequest;
  12: M.HeartbeatRequest;
  13: M.LeaveGroupRequest;
  14: M.SyncGroupRequest;
  15: M.DescribeGroupsRequest;
  16: M.ListGroupsRequest;
  17: M.SaslHandshakeRequest;
  18: M.ApiVersionsRequest;
  19: M.CreateTopicsRequest;
  20: M.DeleteTopicsRequest;
  22: M.InitProducerIdRequest;
  32: M.DescribeConfigsRequest;
  36: M.SaslAuthenticateRequest;
  37: M.CreatePartitionsRequest;
  42: M.DeleteGroupsRequest;
}

/** Response body shape (encoder input) per API key. */
export interface ResponseBodies {
  0: M.ProduceResponse;
  1: M.FetchResponse;
  2: M.ListOffsetsResponse;
  3: M.MetadataResponse;
  8: M.OffsetCommitResponse;
  9: M.OffsetFetchResponse;
  10: M.FindCoordinatorResponse;
  11: M.JoinGroupResponse;
  12: M.HeartbeatResponse;
  13: M.LeaveGroupResponse;
  14: M.SyncGroupResponse;
  15: M.DescribeGroupsResponse;
  16: M.ListGroupsResponse;
  17: M.SaslHandshakeResponse;
  18: M.ApiVersionsResponse;
  19: M.CreateTopicsResponse;
  20: M.DeleteTopicsResponse;
  22: M.InitProducerIdResponse;
  32: M.DescribeConfigsResponse;
  36: M.SaslAuthenticateResponse;
  37: M.CreatePartitionsResponse;
  42: M.DeleteGroupsResponse;
}

export interface ApiDefinition<K extends ApiKey = ApiKey> {
  readonly apiKey: K;
  readonly name: ApiName;
  readonly request: MessageSchema<RequestBodies[K]>;
  readonly response: MessageSchema<ResponseBodies[K]>;
  /** The schema's valid versions (what Kafka 3.9 knows), not what the broker advertises. */
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleVersions: VersionRange;
}

function define<K extends ApiKey>(
  apiKey: K,
  request: MessageSchema<RequestBodies[K]>,
  response: MessageSchema<ResponseBodies[K]>,
): ApiDefinition<K> {
  const name = request.name.replace(/Request$/, '') as ApiName;
  const valid = parseVersions(request.validVersions);
  if (API_KEYS[name] !== apiKey || request.apiKey !== apiKey || response.apiKey !== apiKey) {
    throw new Error(`API table mismatch for key ${apiKey}`);
  }
  if (request.validVersions !== response.validVersions || request.flexibleVersions !== response.flexibleVersions) {
    throw new Error(`${name}: request and response versions differ`);
  }
  return Object.freeze({
    apiKey,
    name,
    request,
    response,
    minVersion: valid.min,
    maxVersion: valid.max,
    flexibleVersions: parseVersions(request.flexibleVersions),
  });
}

/** API key → name → request/response schema. */
export const APIS: { readonly [K in ApiKey]: ApiDefinition<K> } = Object.freeze({
  0: define(0, M.ProduceRequestSchema, M.ProduceResponseSchema),
  1: define(1, M.FetchRequestSchema, M.FetchResponseSchema),
  2: define(2, M.ListOffsetsRequestSchema, M.ListOffsetsResponseSchema),
  3: define(3, M.MetadataRequestSchema, M.MetadataResponseSchema),
  8: define(8, M.OffsetCommitRequestSchema, M.OffsetCommitResponseSchema),
  9: define(9, M.OffsetFetchRequestSchema, M.OffsetFetchResponseSchema),
  10: define(10, M.FindCoordinatorRequestSchema, M.FindCoordinatorResponseSchema),
  11: define(11, M.JoinGroupRequestSchema, M.JoinGroupResponseSchema),
  12: define(12, M.HeartbeatRequestSchema, M.HeartbeatResponseSchema),
  13: define(13, M.LeaveGroupRequestSchema, M.LeaveGroupResponseSchema),
  14: define(14, M.SyncGroupRequestSchema, M.SyncGroupResponseSchema),
  15: define(15, M.DescribeGroupsRequestSchema, M.DescribeGroupsResponseSchema),
  16: define(16, M.ListGroupsRequestSchema, M.ListGroupsResponseSchema),
  17: define(17, M.SaslHandshakeRequestSchema, M.SaslHandshakeResponseSchema),
  18: define(18, M.ApiVersionsRequestSchema, M.ApiVersionsResponseSchema),
  19: define(19, M.CreateTopicsRequestSchema, M.CreateTopicsResponseSchema),
  20: define(20, M.DeleteTopicsRequestSchema, M.DeleteTopicsResponseSchema),
  22: define(22, M.InitProducerIdRequestSchema, M.InitProducerIdResponseSchema),
  32: define(32, M.DescribeConfigsRequestSchema, M.DescribeConfigsResponseSchema),
  36: define(36, M.SaslAuthenticateRequestSchema, M.SaslAuthenticateResponseSchema),
  37: define(37, M.CreatePartitionsRequestSchema, M.CreatePartitionsResponseSchema),
  42: define(42, M.DeleteGroupsRequestSchema, M.DeleteGroupsResponseSchema),
});

const BY_KEY: ReadonlyMap<number, ApiDefinition> = new Map(
  Object.values(APIS).map((api: ApiDefinition) => [api.apiKey, api]),
);

/** Every API, by ascending key. */
export const ALL_APIS: readonly ApiDefinition[] = [...BY_KEY.values()].sort((a, b) => a.apiKey - b.apiKey);

export function getApi(apiKey: number): ApiDefinition | undefined {
  return BY_KEY.get(apiKey);
}

export function isApiKey(apiKey: number): apiKey is ApiKey {
  return BY_KEY.has(apiKey);
}

/** True if `apiVersion` of the API is a flexible (KIP-482) version. */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const api = BY_KEY.get(apiKey);
  return api !== undefined && inVersions(api.flexibleVersions, apiVersion);
}
