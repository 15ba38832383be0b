import type { PartitionState } from './partition-state.js';
import type { ConsumerBatch } from './types.js';

/**
 * What the application has been given and how far it got, which decides what is committed
 * and where an interrupted iteration resumes.
 *
 * A handout is one batch taken from the fetch buffer. `given` counts its records handed to the
 * application, `done` those it has finished with: a record counts as finished once the
 * application asks for more (the next poll, the iterator's next step). `settle` moves each
 * partition's `consumed` offset to the end of what is done, so a commit never covers a record
 * still being processed. Records taken but never given (an iteration left early) are fetched
 * again: `rewindUngiven` moves their partition back to the first of them.
 */
export class Handout {
  given = 0;
  done = 0;
  /** How many of the records belong to this handout; cut to `given` when the rest is rewound. */
  end: number;

  constructor(
    readonly state: PartitionState,
    /** The partition's epoch this handout belongs to; a seek or revoke makes it stale. */
    public epoch: number,
    readonly batch: ConsumerBatch<unknown, unknown>,
    /** Where the partition's position went after this batch (past any control records). */
    readonly nextOffset: bigint,
  ) {
    this.end = batch.records.length;
  }

  get finished(): boolean {
    return this.done >= this.end;
  }

  /** Hands out the whole batch: the partition's position moves past it. */
  giveAll(): void {
    this.given = this.end;
    if (this.state.epoch === this.epoch) this.state.position = this.nextOffset;
  }

  /** Hands out record `index`: the position moves to the record after it. */
  giveRecord(index: number): void {
    this.given = index + 1;
    if (this.state.epoch === this.epoch) this.state.position = this.offsetAfter(index + 1);
  }

  /** The consumed offset this handout leaves its partition at, or null if it moves nothing yet. */
  consumedOffset(): bigint | null {
    if (this.done === 0 && this.end > 0) return null;
    return this.offsetAfter(this.done);
  }

  /** The offset that follows the first `count` records: the next one's (no BigInt arithmetic), or past the batch. */
  private offsetAfter(count: number): bigint {
    const records = this.batch.records;
    return count < records.length ? records[count]!.offset : this.nextOffset;
  }
}

export class Handouts {
  private open: Handout[] = [];

  add(handout: Handout): void {
    this.open.push(handout);
  }

  /** The application asked for more: everything given so far is finished. */
  finishGiven(): void {
    for (const h of this.open) h.done = h.given;
  }

  /**
   * Applies progress to each partition's consumed offset, in order: a partition's later
   * handouts wait behind an unfinished earlier one. Forgets finished and stale handouts.
   */
  settle(): void {
    const open: Handout[] = [];
    const blocked = new Set<PartitionState>();
    for (const h of this.open) {
      if (h.state.epoch !== h.epoch) continue; // sought or revoked since: its offsets mean nothing now
      if (blocked.has(h.state)) {
        open.push(h);
        continue;
      }
      const offset = h.consumedOffset();
      if (offset !== null) h.state.consumed = offset;
      if (!h.finished) {
        blocked.add(h.state);
        open.push(h);
      }
    }
    this.open = open;
  }

  /**
   * An iteration stopped early. Records taken but never given are dropped from their
   * handouts, and `rewind` moves each such partition back to the first of them so they are
   * fetched and given again. Given records stay, to be finished by the next poll or step.
   */
  rewindUngiven(rewind: (state: PartitionState, offset: bigint) => void): void {
    const firstUngiven = new Map<PartitionState, bigint>();
    for (const h of this.open) {
      if (h.state.epoch !== h.epoch || h.given >= h.end) continue;
      if (!firstUngiven.has(h.state)) firstUngiven.set(h.state, h.batch.records[h.given]!.offset);
      h.end = h.given;
    }
    this.open = this.open.filter((h) => h.end > 0 && h.state.epoch === h.epoch);
    for (const [state, offset] of firstUngiven) {
      rewind(state, offset);
      // What was given before the rewind point still counts once finished.
      for (const h of this.open) if (h.state === state) h.epoch = state.epoch;
    }
  }
}
