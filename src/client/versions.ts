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
 */
export const CLIENT_VERSIONS: Readonly<Partial<Record<ApiName, { min: number; max: number }>>> = Object.freeze({
  ApiVersions: { min: 0, max: 3 },
  Metadata: { min: 1, max: 8 },
  Produce: { min: 3, max: 7 },
  Fetch: { min: 4, max: 11 },
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
