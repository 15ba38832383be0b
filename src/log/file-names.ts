import { join } from 'node:path';

/** Segment files are named by their base offset, zero-padded to 20 digits, as Kafka names them. */
export type SegmentFileKind = 'log' | 'index' | 'timeindex';

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

export function segmentFileName(baseOffset: bigint, kind: SegmentFileKind): string {
  return `${baseOffset.toString().padStart(20, '0')}.${kind}`;
}

export function segmentPath(dir: string, baseOffset: bigint, kind: SegmentFileKind): string {
  return join(dir, segmentFileName(baseOffset, kind));
}

export function parseSegmentFileName(name: string): { baseOffset: bigint; kind: SegmentFileKind } | null {
  const match = SEGMENT_FILE.exec(name);
  if (!match) return null;
  return { baseOffset: BigInt(match[1]!), kind: match[2] as SegmentFileKind };
}

/** Kafka's partition directory name: `<topic>-<partition>`. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Files the log writes beside its segments. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';
export const TEMP_SUFFIX = '.tmp';
