/**
 * Kafka schema version ranges: "N" (one version), "N-M" (inclusive), "N+" (N and later),
 * "none" (no version). Parsed once when a codec is compiled, never per message.
 */
export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for "N+". An empty range has max < min. */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = Object.freeze({ min: 0, max: -1 });

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none') return NO_VERSIONS;
  let match = /^(\d+)\+$/.exec(spec);
  if (match) return { min: Number(match[1]), max: Infinity };
  match = /^(\d+)-(\d+)$/.exec(spec);
  if (match) return { min: Number(match[1]), max: Number(match[2]) };
  match = /^(\d+)$/.exec(spec);
  if (match) return { min: Number(match[1]), max: Number(match[1]) };
  throw new Error(`invalid version range "${spec}"`);
}

export function inVersions(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

/** True if `inner` contains every version of `outer` (outer being non-empty). */
export function coversVersions(inner: VersionRange, outer: VersionRange): boolean {
  return inner.min <= outer.min && inner.max >= outer.max;
}
