import type { Cluster } from '../cluster.js';
import { commitOffsets } from '../group/index.js';
import type { GroupSession } from './group-session.js';
import type { Handouts } from './handouts.js';
import type { Assignment, PartitionState } from './partition-state.js';

/**
 * Committing offsets for the consumer: what was consumed (automatically, every interval, and
 * before partitions go), or what the application names. A subscribed consumer commits as a
 * member of its generation; one with assigned partitions commits for its groupId without
 * membership (generation -1), which the broker accepts for a group with no members.
 */
export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: bigint;
  metadata?: string | null;
}

export class Committer {
  private nextAutoCommitAt: number;
  private autoCommitting: Promise<void> | null = null;

  constructor(
    private readonly context: {
      cluster: Cluster;
      groupId: string | null;
      autoCommitIntervalMs: number;
      partitions: Assignment;
      handouts: Handouts;
      group(): GroupSession | null;
    },
  ) {
    this.nextAutoCommitAt = Date.now() + context.autoCommitIntervalMs;
  }

  /** Milliseconds until the next automatic commit is due (0 if it is). */
  dueIn(now: number): number {
    return Math.max(0, this.nextAutoCommitAt - now);
  }

  /** Starts an automatic commit if one is due; in the background, so the poll need not wait. */
  maybeAutoCommit(): void {
    if (this.autoCommitting !== null) return;
    const now = Date.now();
    if (now < this.nextAutoCommitAt) return;
    this.nextAutoCommitAt = now + this.context.autoCommitIntervalMs;
    // A failure is retried at the next interval; a rebalance it reveals is the group's to handle.
    this.autoCommitting = this.commitConsumed()
      .catch(() => undefined)
      .finally(() => {
        this.autoCommitting = null;
      });
  }

  /** Waits for an automatic commit under way. */
  async settled(): Promise<void> {
    await this.autoCommitting;
  }

  /** Commits each partition's consumed offset that moved since its last commit (of those `which` picks). */
  async commitConsumed(which: (state: PartitionState) => boolean = () => true): Promise<void> {
    this.context.handouts.settle();
    const due = [...this.context.partitions.all()].filter((s) => s.consumed !== null && s.consumed !== s.committed && which(s));
    if (due.length === 0) return;
    const offsets = due.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.consumed! }));
    await this.send(offsets);
    due.forEach((s, i) => (s.committed = offsets[i]!.offset));
  }

  /** Commits exactly `offsets`; an assigned partition among them counts as consumed up to there. */
  async commit(offsets: OffsetCommit[]): Promise<void> {
    await this.send(offsets);
    for (const { topic, partition, offset } of offsets) {
      const state = this.context.partitions.get(topic, partition);
      if (state === undefined) continue;
      state.committed = offset;
      if (state.consumed === null || state.consumed < offset) state.consumed = offset;
    }
  }

  private async send(offsets: OffsetCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const group = this.context.group();
    if (group !== null) await group.commit(offsets);
    else await commitOffsets(this.context.cluster, this.context.groupId!, offsets);
  }
}
