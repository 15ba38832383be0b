import { Cluster } from './cluster.js';
import { isTidelogError, TidelogError } from './errors.js';
import { backoffMs } from './retry.js';
import { Committer } from './consumer/commits.js';
import { decodeBatches } from './consumer/decode.js';
import { FetchBuffer } from './consumer/fetch-buffer.js';
import { Fetcher } from './consumer/fetcher.js';
import { GroupSession } from './consumer/group-session.js';
import { Handout, Handouts } from './consumer/handouts.js';
import { iterateBatches, iterateRecords, type Pollable } from './consumer/iteration.js';
import { resolveOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './consumer/options.js';
import { Assignment, type PartitionState } from './consumer/partition-state.js';
import { PositionResolver, seekOffset, validateSeekTarget, type PositionContext } from './consumer/positions.js';
import { checkTopics, describePartitions, validatePartitions, validateTopics } from './consumer/validate.js';
import { partitionKey, type ConsumerBatch, type ConsumerRecord, type IterateOptions, type PollOptions, type SeekTarget, type TopicPartition } from './consumer/types.js';

/**
 * A typed consumer: `for await (const batch of consumer)` over batches, `records()` over
 * single records, or `poll()` for the next batches.
 *
 * Partitions come from a group (`subscribe`, with a groupId: joins on the first poll, rejoins
 * when the group rebalances) or are chosen by hand (`assign`). Each starts at the group's
 * committed offset, else at `autoOffsetReset`; `seek` moves it. Records are fetched from each
 * partition's leader ahead of the application (see consumer/fetcher.ts) and decoded when they
 * are handed out.
 *
 * Commits cover what the application has finished with: a record handed out counts once the
 * application asks for more (see consumer/handouts.ts). With autoCommit (the default with a
 * groupId) that is committed every autoCommitIntervalMs, before partitions are revoked, and
 * on close; `commit()` commits the current positions (everything handed out) at once.
 *
 * Aborting a signal given to `poll`, `batches` or `records` rejects the pending call with the
 * signal's `reason` (for `AbortController.abort()`, a DOMException named AbortError), as
 * fetch() and Node's own APIs do. Closing the consumer instead ends a pending poll with no
 * batches and an iteration with `done`.
 *
 * Errors are TidelogErrors: INVALID_CONFIG for bad options, INVALID_REQUEST for a call that
 * can't be made (bad arguments, no subscription, a partition not assigned), INVALID_GROUP_ID
 * for group calls without a groupId, NETWORK_EXCEPTION once closed (as for the Cluster), and
 * the Kafka error of a partition that can't go on (OFFSET_OUT_OF_RANGE with autoOffsetReset
 * 'none', INVALID_RECORD for a record the deserializer rejects, ...), thrown by every poll
 * until the application seeks that partition elsewhere. Transient errors (leaders moving,
 * broken connections, a coordinator away) are retried with backoff and never thrown by `poll`
 * or the iterators; direct calls (`seek`, `commit`, ...) throw them once their retries run out.
 */
export class Consumer<K = Buffer, V = Buffer> implements AsyncIterable<ConsumerBatch<K, V>> {
  private readonly options: ResolvedConsumerOptions<K, V>;
  private readonly partitions = new Assignment();
  private readonly buffer = new FetchBuffer();
  private readonly fetcher: Fetcher;
  private readonly handouts = new Handouts();
  private readonly positionContext: PositionContext;
  private mode: 'none' | 'assign' | 'subscribe' = 'none';
  private group: GroupSession | null = null;
  private readonly errors: TidelogError[] = [];
  private groupFailures = 0;
  private readonly committer: Committer;
  private polling = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly cluster: Cluster,
    private readonly settings: ConsumerOptions<K, V>,
  ) {
    this.options = resolveOptions(settings);
    this.positionContext = { cluster, groupId: this.options.groupId, autoOffsetReset: this.options.autoOffsetReset, isolationLevel: this.options.isolationLevel };
    this.committer = new Committer({
      cluster,
      groupId: this.options.groupId,
      autoCommitIntervalMs: this.options.autoCommitIntervalMs,
      partitions: this.partitions,
      handouts: this.handouts,
      group: () => this.group,
    });
    const resolver = new PositionResolver(this.positionContext, {
      done: () => {
        this.fetcher.wake();
        this.buffer.notify();
      },
      failed: (error) => this.report(error),
    });
    this.fetcher = new Fetcher({
      cluster,
      assignment: this.partitions,
      buffer: this.buffer,
      options: this.options as ResolvedConsumerOptions<unknown, unknown>,
      needPositions: (states) => {
        if (!this.closed) resolver.request(states);
      },
      report: (error) => this.report(error),
    });
  }

  /** Checks the options, connects to a bootstrap broker, and returns a consumer with nothing assigned yet. */
  static async create<K = Buffer, V = Buffer>(options: ConsumerOptions<K, V>): Promise<Consumer<K, V>> {
    resolveOptions(options);
    return new Consumer<K, V>(await Cluster.connect(options), options);
  }

  /** Joins the consumer group (on the next poll) for `topics`, replacing an earlier subscription. */
  async subscribe(topics: string | readonly string[]): Promise<void> {
    this.assertOpen();
    if (this.mode === 'assign') throw new TidelogError('INVALID_REQUEST', 'subscribe: this consumer assigned partitions by hand; use either subscribe or assign, not both');
    const groupId = this.options.groupId;
    if (groupId === null) throw new TidelogError('INVALID_GROUP_ID', 'subscribe: consumer groups need a groupId in Consumer.create');
    const list = validateTopics(typeof topics === 'string' ? [topics] : topics);
    await checkTopics(this.cluster, list, this.settings.allowAutoTopicCreation ?? true);
    if (this.group !== null) {
      if (sameSet(this.group.topics, list)) return;
      await this.leaveGroup();
    }
    this.group = new GroupSession({
      cluster: this.cluster,
      groupId,
      topics: list,
      assignors: this.settings.assignors,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: this.settings.rebalanceTimeoutMs,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      groupInstanceId: this.settings.groupInstanceId,
      onRevoked: (revoked) => this.onRevoked(revoked),
      onAssigned: async (assigned) => this.setAssignment(assigned),
    });
    this.mode = 'subscribe';
    this.buffer.notify();
  }

  /** Reads exactly these partitions, with no group (replacing an earlier assignment). */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.assertOpen();
    if (this.mode === 'subscribe') throw new TidelogError('INVALID_REQUEST', 'assign: this consumer subscribed to a group; use either subscribe or assign, not both');
    const list = validatePartitions('assign', partitions);
    await checkTopics(this.cluster, [...new Set(list.map((tp) => tp.topic))], this.settings.allowAutoTopicCreation ?? true, list);
    const keep = new Set(list.map((tp) => partitionKey(tp.topic, tp.partition)));
    if (this.options.autoCommit) await this.committer.commitConsumed((s) => !keep.has(s.key)).catch(() => undefined);
    this.setAssignment(list);
    this.mode = list.length > 0 ? 'assign' : 'none';
  }

  /** The partitions this consumer reads now. */
  assignment(): TopicPartition[] {
    return this.partitions.list();
  }

  /** The offset of the next record to be handed out for `tp`; null until it is known. */
  position(tp: TopicPartition): bigint | null {
    return this.assigned('position', tp).position;
  }

  /** Moves `tp` (which must be assigned) to an offset, either end, or the first record at or after a time; drops what was prefetched for it. */
  async seek(tp: TopicPartition, target: SeekTarget): Promise<void> {
    this.assertOpen();
    const state = this.assigned('seek', tp);
    validateSeekTarget(target);
    this.buffer.discard(state);
    if (typeof target === 'bigint') state.moveTo(target);
    else {
      const before = state.position;
      state.invalidate('seeking');
      const epoch = state.epoch;
      try {
        const offset = await seekOffset(this.positionContext, state, target);
        if (state.epoch === epoch && this.partitions.has(state)) state.moveTo(offset);
      } catch (error) {
        if (state.epoch === epoch) {
          if (before === null) state.invalidate('committed');
          else state.moveTo(before);
        }
        throw error;
      }
    }
    this.fetcher.wake();
    this.buffer.notify();
  }

  /** Stops fetching `partitions` and holds back what was already fetched for them. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of validatePartitions('pause', partitions)) this.assigned('pause', tp).paused = true;
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of validatePartitions('resume', partitions)) this.assigned('resume', tp).paused = false;
    this.fetcher.wake();
    this.buffer.notify();
  }

  paused(): TopicPartition[] {
    return [...this.partitions.all()].filter((s) => s.paused).map(({ topic, partition }) => ({ topic, partition }));
  }

  /**
   * The next batches: those already fetched, else the first to arrive within `maxWaitMs`
   * (none if nothing does). Calling it again marks the batches it returned as processed.
   */
  async poll(options: PollOptions = {}): Promise<ConsumerBatch<K, V>[]> {
    this.handouts.finishGiven();
    const taken = await this.take(options);
    const batches: ConsumerBatch<K, V>[] = [];
    for (const h of taken) {
      h.giveAll();
      if (h.end > 0) batches.push(h.batch as ConsumerBatch<K, V>);
    }
    return batches;
  }

  /** Every batch, as it arrives, until the consumer is closed. */
  batches(options: IterateOptions = {}): AsyncGenerator<ConsumerBatch<K, V>, void, undefined> {
    return iterateBatches(this.pollable(), options) as AsyncGenerator<ConsumerBatch<K, V>, void, undefined>;
  }

  /** Every record, one at a time, until the consumer is closed. */
  records(options: IterateOptions = {}): AsyncGenerator<ConsumerRecord<K, V>, void, undefined> {
    return iterateRecords(this.pollable(), options) as AsyncGenerator<ConsumerRecord<K, V>, void, undefined>;
  }

  [Symbol.asyncIterator](): AsyncGenerator<ConsumerBatch<K, V>, void, undefined> {
    return this.batches();
  }

  /**
   * Commits `offsets` (each the offset of the next record to read), or by default the
   * current position of every assigned partition: everything handed out so far.
   */
  async commit(offsets?: readonly { topic: string; partition: number; offset: bigint; metadata?: string | null }[]): Promise<void> {
    this.assertOpen();
    if (this.options.groupId === null) throw new TidelogError('INVALID_GROUP_ID', 'commit: committing offsets needs a groupId in Consumer.create');
    const list =
      offsets === undefined
        ? [...this.partitions.all()].filter((s) => s.position !== null).map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position! }))
        : validatePartitions('commit', offsets).map((o, i) => {
            const { offset, metadata } = offsets[i]!;
            if (typeof offset !== 'bigint' || offset < 0n) throw new TidelogError('INVALID_REQUEST', `commit: offset for ${o.topic}-${o.partition} must be a bigint ≥ 0n, not ${String(offset)}`);
            return { topic: o.topic, partition: o.partition, offset, metadata: metadata ?? null };
          });
    await this.committer.commit(list);
  }

  /**
   * Stops fetching, commits what was consumed (with autoCommit), leaves the group and closes
   * the connections. A pending poll resolves with no batches; iterations end. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- Polling ------------------------------------------------------------------------------

  /** What the iterators need of the consumer. */
  private pollable(): Pollable {
    return {
      take: (options) => this.take(options),
      isClosed: () => this.closed,
      finishGiven: () => this.handouts.finishGiven(),
      stopped: () => this.handouts.rewindUngiven((state, offset) => this.rewind(state, offset)),
    };
  }

  /** Waits for fetched data (or the deadline, close, abort) and hands out what is ready. */
  private async take({ signal, maxWaitMs }: PollOptions): Promise<Handout[]> {
    this.assertOpen();
    if (this.mode === 'none') throw new TidelogError('INVALID_REQUEST', 'poll: subscribe to topics or assign partitions first');
    if (this.polling) throw new TidelogError('INVALID_REQUEST', 'poll: another poll or iteration step of this consumer is still waiting');
    signal?.throwIfAborted();
    const wait = maxWaitMs ?? this.options.maxWaitMs;
    if (typeof wait !== 'number' || !(wait >= 0)) throw new TidelogError('INVALID_REQUEST', `poll: maxWaitMs must be a number ≥ 0, not ${String(wait)}`);
    const deadline = Date.now() + wait;
    this.polling = true;
    try {
      this.handouts.settle();
      let groupRetryAt = 0;
      for (;;) {
        if (this.closed) return [];
        if (this.group !== null && Date.now() >= groupRetryAt) {
          try {
            await this.group.ensureActive(signal);
            this.groupFailures = 0;
          } catch (error) {
            // The coordinator unreachable or moving: keep trying, as Kafka's poll does, with backoff.
            if (!isTidelogError(error) || !error.retriable || signal?.aborted || this.closed) throw error;
            groupRetryAt = Date.now() + backoffMs(++this.groupFailures, this.cluster.retry);
          }
        }
        if (this.closed) return [];
        if (this.options.autoCommit) this.committer.maybeAutoCommit();
        this.throwPendingError();
        const taken = this.takeReady();
        if (taken.some((h) => h.end > 0)) return taken;
        // Only control records (or a partition stopping at a bad record): nothing to hand out, but positions move on.
        for (const h of taken) h.giveAll();
        this.fetcher.wake();
        const now = Date.now();
        if (now >= deadline) return [];
        // Wake up in time for the group's and the auto-commit's schedules, too.
        let slice = deadline - now;
        if (this.group !== null) slice = Math.min(slice, Math.max(GROUP_CHECK_MS, groupRetryAt - now));
        if (this.options.autoCommit) slice = Math.min(slice, Math.max(1, this.committer.dueIn(now)));
        await this.buffer.wait(slice, signal);
      }
    } catch (error) {
      // A close under way ends a join or a wait with an error of its own making: that is not news.
      if (this.closed && !signal?.aborted) return [];
      throw error;
    } finally {
      this.polling = false;
    }
  }

  /** Decodes every chunk that may be handed out now into handouts; positions move as they are given out. */
  private takeReady(): Handout[] {
    const chunks = this.buffer.take((c) => this.partitions.has(c.state) && c.epoch === c.state.epoch);
    if (chunks.length === 0) return [];
    const taken: Handout[] = [];
    for (const chunk of chunks) {
      const state = chunk.state;
      if (state.epoch !== chunk.epoch || state.error !== null || state.takeOffset === null) continue;
      const { topic, partition } = state;
      const { keyDeserializer, valueDeserializer, checkCrcs } = this.options;
      const { records, failure, failedAt } = decodeBatches<K, V>(chunk.records, state.takeOffset, { topic, partition, keyDeserializer, valueDeserializer, checkCrcs });
      // A record or batch it can't read stops the partition there (after the good records before
      // it), with the error thrown by every poll until the application seeks elsewhere.
      const nextOffset = failure === null ? chunk.nextOffset : failedAt;
      if (failure !== null) {
        state.error = failure;
        this.buffer.discard(state);
      }
      state.takeOffset = nextOffset;
      const last = records[records.length - 1];
      const batch: ConsumerBatch<K, V> = { topic, partition, records, highWatermark: chunk.highWatermark, lastOffset: last === undefined ? nextOffset - 1n : last.offset };
      const handout = new Handout(state, state.epoch, batch as ConsumerBatch<unknown, unknown>, nextOffset);
      this.handouts.add(handout);
      taken.push(handout);
    }
    this.fetcher.wake();
    return taken;
  }

  /** An iteration left early: `state` goes back to `offset`, the first record it did not give out. */
  private rewind(state: PartitionState, offset: bigint): void {
    if (!this.partitions.has(state)) return;
    this.buffer.discard(state);
    state.epoch++;
    state.position = offset;
    state.takeOffset = offset;
    state.fetchOffset = offset;
    this.fetcher.wake();
  }

  private throwPendingError(): void {
    const reported = this.errors.shift();
    if (reported !== undefined) throw reported;
    for (const state of this.partitions.all()) if (state.error !== null) throw state.error;
  }

  private report(error: TidelogError): void {
    if (this.closed) return;
    // Transient trouble is retried, not thrown; the application hears of what won't heal by itself.
    if (error.retriable) return;
    if (this.errors.length < MAX_PENDING_ERRORS) this.errors.push(error);
    this.buffer.notify();
  }

  // ---- Commits and the group ----------------------------------------------------------------

  /** Before a rebalance takes `revoked` away: commit what was consumed of them, then let them go. */
  private async onRevoked(revoked: TopicPartition[]): Promise<void> {
    const keys = new Set(revoked.map((tp) => partitionKey(tp.topic, tp.partition)));
    if (this.options.autoCommit && !this.closed) await this.committer.commitConsumed((s) => keys.has(s.key)).catch(() => undefined);
    this.setAssignment(this.partitions.list().filter((tp) => !keys.has(partitionKey(tp.topic, tp.partition))));
  }

  private setAssignment(partitions: readonly TopicPartition[]): void {
    for (const state of this.partitions.replace(partitions)) this.buffer.discard(state);
    this.fetcher.wake();
    this.buffer.notify();
  }

  private async leaveGroup(): Promise<void> {
    const group = this.group;
    if (group === null) return;
    if (this.options.autoCommit) await this.committer.commitConsumed().catch(() => undefined);
    this.group = null;
    await group.leave();
    this.setAssignment([]);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.buffer.notify();
    this.fetcher.stop();
    await this.committer.settled();
    if (this.options.autoCommit && this.mode !== 'none') {
      // The last word on what was consumed; a failure here can't be retried by anyone.
      await this.committer.commitConsumed().catch(() => undefined);
    }
    await this.group?.leave();
    await this.cluster.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new TidelogError('NETWORK_EXCEPTION', 'the consumer is closed');
  }

  private assigned(call: string, tp: TopicPartition): PartitionState {
    const [checked] = validatePartitions(call, [tp]);
    const state = this.partitions.get(checked!.topic, checked!.partition);
    if (state === undefined) {
      throw new TidelogError('INVALID_REQUEST', `${call}: ${tp.topic}-${tp.partition} is not assigned to this consumer (assigned: ${describePartitions(this.partitions.list())})`);
    }
    return state;
  }
}

/** How often a waiting poll checks the group for a rebalance. */
const GROUP_CHECK_MS = 100;
const MAX_PENDING_ERRORS = 100;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
