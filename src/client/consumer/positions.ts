import type { Cluster } from '../cluster.js';
import { isTidelogError, TidelogError } from '../errors.js';
import { backoffMs } from '../retry.js';
import { fetchCommittedOffsets } from '../group/index.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, topicPartitionKey } from '../list-offsets.js';
import type { OffsetResetPolicy } from './options.js';
import type { PartitionState } from './partition-state.js';
import type { SeekTarget } from './types.js';

/**
 * Where a partition starts: the group's committed offset if it has one, else autoOffsetReset
 * through ListOffsets (earliest: the log start offset; latest: the high watermark, or the last
 * stable offset under read_committed); and where a seek lands.
 *
 * Every lookup is applied only if the partition's epoch did not move meanwhile (a seek or a
 * revoke while the answer was on its way wins over the answer).
 */
export interface PositionContext {
  cluster: Cluster;
  groupId: string | null;
  autoOffsetReset: OffsetResetPolicy;
  isolationLevel: 0 | 1;
}

/**
 * Runs one lookup at a time for the partitions the fetcher finds without a position; after a
 * failure (reported, then retried) it waits a backoff before the next.
 */
export class PositionResolver {
  private running = false;
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly context: PositionContext,
    private readonly events: { done(): void; failed(error: TidelogError): void },
  ) {}

  request(states: PartitionState[]): void {
    if (this.running || Date.now() < this.retryAt) return;
    this.running = true;
    resolvePositions(this.context, states)
      .then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => {
          this.events.failed(isTidelogError(error) ? error : new TidelogError('UNKNOWN_SERVER_ERROR', String(error), { cause: error }));
          this.retryAt = Date.now() + backoffMs(++this.failures, this.context.cluster.retry);
          setTimeout(() => this.events.done(), this.retryAt - Date.now()).unref();
        },
      )
      .finally(() => {
        this.running = false;
        this.events.done();
      });
  }
}

/** Looks up the position of every state whose `need` is 'committed' or 'reset'. */
export async function resolvePositions(context: PositionContext, states: readonly PartitionState[]): Promise<void> {
  const epochs = new Map(states.map((s) => [s, s.epoch]));
  const current = (s: PartitionState) => epochs.get(s) === s.epoch;
  const wantCommitted = states.filter((s) => s.need === 'committed');
  if (context.groupId !== null && wantCommitted.length > 0) {
    const committed = await fetchCommittedOffsets(context.cluster, context.groupId, wantCommitted.map(({ topic, partition }) => ({ topic, partition })));
    const byKey = new Map(committed.map((c) => [topicPartitionKey(c.topic, c.partition), c.offset]));
    for (const state of wantCommitted) {
      const offset = byKey.get(topicPartitionKey(state.topic, state.partition)) ?? -1n;
      if (offset >= 0n && current(state)) {
        state.moveTo(offset);
        state.committed = offset;
      }
    }
  }
  const toReset = states.filter((s) => current(s) && (s.need === 'committed' || s.need === 'reset'));
  if (toReset.length === 0) return;
  if (context.autoOffsetReset === 'none') {
    for (const state of toReset) {
      const why = state.need === 'reset' ? 'its position is out of range' : 'the group has no committed offset for it';
      state.error = new TidelogError('OFFSET_OUT_OF_RANGE', `${state.topic}-${state.partition}: ${why} and autoOffsetReset is 'none'; seek to a position`);
    }
    return;
  }
  const timestamp = context.autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
  const listed = await listOffsets(
    context.cluster,
    toReset.map(({ topic, partition }) => ({ topic, partition, timestamp })),
    { isolationLevel: context.isolationLevel },
  );
  for (const state of toReset) {
    const found = listed.get(topicPartitionKey(state.topic, state.partition));
    if (found !== undefined && current(state)) state.moveTo(found.offset);
  }
}

/** The offset a seek target maps to (ListOffsets for all but a plain offset). */
export async function seekOffset(context: PositionContext, state: PartitionState, target: SeekTarget): Promise<bigint> {
  if (typeof target === 'bigint') return target;
  const { topic, partition } = state;
  const list = async (timestamp: bigint) => {
    const listed = await listOffsets(context.cluster, [{ topic, partition, timestamp }], { isolationLevel: context.isolationLevel });
    const found = listed.get(topicPartitionKey(topic, partition));
    if (found === undefined) throw new TidelogError('UNKNOWN_SERVER_ERROR', `ListOffsets gave no answer for ${topic}-${partition}`);
    return found.offset;
  };
  if (target === 'beginning') return list(EARLIEST_TIMESTAMP);
  if (target === 'end') return list(LATEST_TIMESTAMP);
  const offset = await list(BigInt(target.timestamp));
  // No record that late: the position is the end of the log, where the next such record will land.
  return offset >= 0n ? offset : list(LATEST_TIMESTAMP);
}

/** Checks a seek target's shape before anything is changed. */
export function validateSeekTarget(target: unknown): asserts target is SeekTarget {
  if (typeof target === 'bigint') {
    if (target < 0n) throw new TidelogError('INVALID_REQUEST', `seek: offset must be ≥ 0n, not ${target}`);
    return;
  }
  if (target === 'beginning' || target === 'end') return;
  if (target !== null && typeof target === 'object' && 'timestamp' in target) {
    const { timestamp } = target as { timestamp: unknown };
    if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0) return;
    throw new TidelogError('INVALID_REQUEST', `seek: timestamp must be an integer number of ms ≥ 0, not ${String(timestamp)}`);
  }
  const shown = typeof target === 'number' ? `${target} (a number; offsets are bigint, e.g. ${target}n)` : JSON.stringify(target) ?? String(target);
  throw new TidelogError('INVALID_REQUEST', `seek: target must be a bigint offset, 'beginning', 'end' or { timestamp }, not ${shown}`);
}
