import { API_KEYS, type ApiKey, type ApiName } from '../protocol/index.js';

/**
 * The API versions this client implements, as data: one row per API it sends. For each, the
 * connection uses min(our max, broker max), and refuses the API if that falls below
 * max(our min, broker min) (librdkafka's rule; CLIENTS.md §1).
 *
 * - ApiVersions 0-3: v3 first, falling back on UNSUPPORTED_VERSION (35) as Kafka clients do.
 * - Metadata 1-8: null topics means "all" from v1; ≤ 8 keeps topic ids out (CLIENTS.md §1.2.5).
 * - Produce 3-7: record batch v2 needs v3; v7 is the broker's max and the last non-flexible one.
 * - Fetch 4-11: v4 is the first with last_stable_offset; ≤ 12 addresses topics by name.
 * - ListOffsets 1-7: v1 is the first with one timestamp per partition (no max_num_offsets).
 * - FindCoordinator 0-3: ≤ 3 looks up one key per request; v4 batches keys (KIP-699).
 * - OffsetFetch 1-7: ≤ 7 asks for one group per request; v8 batches groups.
 * - The group and admin APIs otherwise span what Kafka 3.x brokers speak; each call site reads
 *   fields that exist at every version in its range, or checks the negotiated version.
 */
export const CLIENT_VERSIONS: Readonly<Partial<Record<ApiName, { min: number; max: number }>>> = Object.freeze({
  ApiVersions: { min: 0, max: 3 },
  Metadata: { min: 1, max: 8 },
  Produce: { min: 3, max: 7 },
  Fetch: { min: 4, max: 11 },
  ListOffsets: { min: 1, max: 7 },
  FindCoordinator: { min: 0, max: 3 },
  JoinGroup: { min: 0, max: 9 },
  SyncGroup: { min: 0, max: 5 },
  Heartbeat: { min: 0, max: 4 },
  LeaveGroup: { min: 0, max: 5 },
  OffsetCommit: { min: 2, max: 8 },
  OffsetFetch: { min: 1, max: 7 },
  ListGroups: { min: 0, max: 4 },
  DescribeGroups: { min: 0, max: 5 },
  DeleteGroups: { min: 0, max: 2 },
  CreateTopics: { min: 2, max: 7 },
  DeleteTopics: { min: 1, max: 6 },
  CreatePartitions: { min: 0, max: 3 },
  DescribeConfigs: { min: 1, max: 4 },
});

export interface BrokerApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** API key → version to use, for every API of `ours` the broker also speaks at an overlapping version. */
export function pickVersions(
  broker: readonly BrokerApiRange[],
  ours: Readonly<Partial<Record<ApiName, { min: number; max: number }>>> = CLIENT_VERSIONS,
): Map<ApiKey, number> {
  const byKey = new Map(broker.map((range) => [range.apiKey, range]));
  const picked = new Map<ApiKey, number>();
  for (const [name, range] of Object.entries(ours) as [ApiName, { min: number; max: number }][]) {
    const apiKey = API_KEYS[name];
    const theirs = byKey.get(apiKey);
    if (theirs === undefined) continue;
    const version = Math.min(range.max, theirs.maxVersion);
    if (version >= Math.max(range.min, theirs.minVersion)) picked.set(apiKey, version);
  }
  return picked;
}
