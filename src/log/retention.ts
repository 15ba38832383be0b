import type { TopicConfig } from '../config/index.js';

export type RetentionReason = 'retention-ms' | 'retention-bytes';

export interface SegmentSummary {
  size: number;
  maxTimestamp: number;
}

/**
 * How many of the oldest segments retention deletes, and why. Only closed segments are
 * candidates (never the last, active one), taken oldest first until one must stay.
 */
export function segmentsToDelete(segments: readonly SegmentSummary[], config: TopicConfig, now: number): { count: number; reasons: RetentionReason[] } {
  const retentionMs = config['retention.ms'];
  const retentionBytes = config['retention.bytes'];
  let excessBytes = retentionBytes < 0 ? -Infinity : segments.reduce((sum, s) => sum + s.size, 0) - retentionBytes;
  const reasons: RetentionReason[] = [];
  let count = 0;
  for (const segment of segments.slice(0, -1)) {
    if (retentionMs >= 0 && now - segment.maxTimestamp > retentionMs) reasons.push('retention-ms');
    else if (excessBytes - segment.size >= 0) reasons.push('retention-bytes');
    else break;
    excessBytes -= segment.size;
    count++;
  }
  return { count, reasons };
}
