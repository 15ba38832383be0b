import type { TopicConfig } from '../config/index.js';
import type { LogSegment } from './segment.js';

/** Why the active segment was closed and a new one started. */
export type RollReason = 'segment-bytes' | 'segment-ms' | 'index-full' | 'offset-overflow' | 'requested';

/**
 * Whether a batch of `batchBytes` ending at `lastOffset`, written after `pendingBytes` not
 * yet in the segment, needs a new segment first. An empty segment never rolls: a batch
 * larger than segment.bytes still gets one.
 */
export function rollReason(
  segment: LogSegment,
  pendingBytes: number,
  batchBytes: number,
  lastOffset: bigint,
  config: TopicConfig,
  now: number,
): RollReason | null {
  const size = segment.size + pendingBytes;
  if (size === 0) return null;
  if (size + batchBytes > config['segment.bytes']) return 'segment-bytes';
  if (segment.rollBasisMs !== null && now - segment.rollBasisMs >= config['segment.ms']) return 'segment-ms';
  if (segment.offsetIndex.entries >= Math.floor(config['segment.index.bytes'] / 8)) return 'index-full';
  if (!segment.fits(lastOffset)) return 'offset-overflow';
  return null;
}
