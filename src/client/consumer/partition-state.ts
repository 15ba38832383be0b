import type { TidelogError } from '../errors.js';
import { partitionKey, type TopicPartition } from './types.js';

/**
 * What the consumer knows of one assigned partition. Four offsets move at different times:
 *
 * - `fetchOffset`: the next offset to ask the broker for; runs ahead of the others by up to
 *   the prefetched chunks.
 * - `takeOffset`: where the next chunk taken from the fetch buffer is read from; moves when a
 *   poll takes (and decodes) chunks, possibly ahead of what an iterator has handed out yet.
 * - `position`: the next offset to hand to the application; moves as records are given out.
 * - `consumed`: what may be committed; moves to the end of what was given out once the
 *   application asks for more (the next poll, or the iterator's next step), so only records
 *   it has finished with are committed.
 *
 * `epoch` counts seeks and resets: a fetch answered for an older epoch is dropped, since it
 * was for a position the application has moved away from.
 */
export type PositionNeed =
  /** Known: fetching from it. */
  | 'known'
  /** Unknown: the group's committed offset, else autoOffsetReset. */
  | 'committed'
  /** Unknown: autoOffsetReset (after OFFSET_OUT_OF_RANGE). */
  | 'reset'
  /** A seek is resolving it; nothing to do until it finishes. */
  | 'seeking';

export class PartitionState implements TopicPartition {
  readonly key: string;
  position: bigint | null = null;
  takeOffset: bigint | null = null;
  fetchOffset: bigint | null = null;
  consumed: bigint | null = null;
  /** The offset last committed (by us or found committed), to skip commits that change nothing. */
  committed: bigint | null = null;
  need: PositionNeed = 'committed';
  epoch = 0;
  paused = false;
  /** Part of a Fetch on the wire. */
  inFlight = false;
  /** Completed fetch results not yet given out. */
  bufferedChunks = 0;
  /** No fetch before this time (Date.now()): backoff after a retriable partition error. */
  retryAt = 0;
  retries = 0;
  highWatermark = -1n;
  /** An error that stops this partition until the application seeks (OFFSET_OUT_OF_RANGE with reset 'none', a record it cannot decode). */
  error: TidelogError | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.key = partitionKey(topic, partition);
  }

  /** Moves every offset to `offset` and forgets what was in flight or buffered for the old position. */
  moveTo(offset: bigint): void {
    this.epoch++;
    this.position = offset;
    this.takeOffset = offset;
    this.fetchOffset = offset;
    this.consumed = offset;
    this.need = 'known';
    this.error = null;
    this.retries = 0;
    this.retryAt = 0;
  }

  /** Forgets the position (the next step looks it up as `need` says). */
  invalidate(need: 'committed' | 'reset' | 'seeking'): void {
    this.epoch++;
    this.position = null;
    this.takeOffset = null;
    this.fetchOffset = null;
    this.need = need;
  }

  get fetchable(): boolean {
    return this.need === 'known' && !this.paused && !this.inFlight && this.error === null && this.fetchOffset !== null;
  }
}

/** The assigned partitions, in assignment order. */
export class Assignment {
  private readonly states = new Map<string, PartitionState>();

  get size(): number {
    return this.states.size;
  }

  all(): IterableIterator<PartitionState> {
    return this.states.values();
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(partitionKey(topic, partition));
  }

  has(state: PartitionState): boolean {
    return this.states.get(state.key) === state;
  }

  /**
   * Makes the assignment exactly `partitions`: keeps the state of partitions already held,
   * adds new ones (position unknown), drops the rest. Returns the dropped states.
   */
  replace(partitions: readonly TopicPartition[]): PartitionState[] {
    const wanted = new Map(partitions.map((tp) => [partitionKey(tp.topic, tp.partition), tp]));
    const dropped: PartitionState[] = [];
    for (const [key, state] of this.states) {
      if (!wanted.has(key)) {
        this.states.delete(key);
        state.epoch++;
        dropped.push(state);
      }
    }
    for (const [key, tp] of wanted) {
      if (!this.states.has(key)) this.states.set(key, new PartitionState(tp.topic, tp.partition));
    }
    return dropped;
  }

  list(): TopicPartition[] {
    return [...this.states.values()].map(({ topic, partition }) => ({ topic, partition }));
  }
}
