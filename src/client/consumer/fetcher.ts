import { API_KEYS, type Decoded, type FetchRequest, type FetchResponse } from '../../protocol/index.js';
import type { Cluster, TopicInfo } from '../cluster.js';
import type { Connection } from '../connection.js';
import { errorFromCode, isTidelogError, TidelogError, type KafkaErrorName } from '../errors.js';
import { backoffMs } from '../retry.js';
import { wholeBatches } from './decode.js';
import type { FetchBuffer } from './fetch-buffer.js';
import type { ResolvedConsumerOptions } from './options.js';
import type { Assignment, PartitionState } from './partition-state.js';

/**
 * Keeps records coming: one Fetch in flight per leader, for every assigned partition that
 * has a position, is not paused, is not already on the wire and has fewer than
 * MAX_BUFFERED_CHUNKS results waiting. A partition's next Fetch starts as soon as its last one
 * is answered, from where that answer's whole batches end, so the broker reads the next chunk
 * while the application works through this one (prefetch). Answers land in the FetchBuffer.
 *
 * Errors, per partition, as Kafka's fetcher treats them:
 * - OFFSET_OUT_OF_RANGE: the position is looked up again by autoOffsetReset ('none': the
 *   partition stops with the error until the application seeks);
 * - leadership and metadata errors (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...):
 *   drop the topic's metadata, back off (growing per partition, capped by the cluster's retry
 *   options), fetch again from whoever leads now;
 * - a broken connection: the same backoff for every partition of that fetch; the Cluster
 *   reconnects;
 * - anything else stops the partition with the error until the application seeks.
 * Only errors that can't be retried are reported to the consumer.
 */

/** Fetched results per partition waiting for the application before we fetch more for it. */
export const MAX_BUFFERED_CHUNKS = 2;
/** Leaders are looked up again this often even without an error, to follow a move nobody reported. */
const LEADERS_MAX_AGE_MS = 60_000;

/** Partition errors that mean "ask the metadata again and retry", not "the data is bad". */
const REFRESH_ERRORS: ReadonlySet<KafkaErrorName> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'UNKNOWN_TOPIC_ID',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'REPLICA_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'OFFSET_NOT_AVAILABLE',
]);

export interface FetcherContext {
  cluster: Cluster;
  assignment: Assignment;
  buffer: FetchBuffer;
  options: ResolvedConsumerOptions<unknown, unknown>;
  /** Partitions whose position must be looked up (need 'committed' or 'reset'). */
  needPositions(states: PartitionState[]): void;
  /** An error for the application's next poll. */
  report(error: TidelogError): void;
}

export class Fetcher {
  /** Leaders with a Fetch on the wire. */
  private readonly busy = new Set<number>();
  /** What the fetcher last learned of each topic's leaders, so a pass needs no await. */
  private readonly topics = new Map<string, { info: TopicInfo; at: number }>();
  private readonly lookups = new Set<string>();
  /** Open connections by leader, so a Fetch goes out in the same tick its predecessor's answer came in. */
  private readonly connections = new Map<number, Connection>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryTimerAt = Infinity;

  constructor(private readonly context: FetcherContext) {}

  /** Looks for partitions to fetch and sends what it can at once; cheap to call often. */
  wake(): void {
    if (this.stopped) return;
    try {
      this.pass();
    } catch (error) {
      this.context.report(asTidelogError(error));
    }
  }

  /** Sends no more fetches. Those on the wire end with their connections (their answers are dropped). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Forgets what it knew of a topic's leaders (after an error that says they moved). */
  private invalidate(topic: string): void {
    this.topics.delete(topic);
    this.context.cluster.invalidate(topic);
  }

  /** One look at every partition: positions to resolve, fetches to send. Synchronous. */
  private pass(): void {
    const { assignment } = this.context;
    const now = Date.now();
    const unresolved: PartitionState[] = [];
    const byLeader = new Map<number, PartitionState[]>();
    let nextRetry = Infinity;
    for (const state of assignment.all()) {
      if (state.need === 'committed' || state.need === 'reset') {
        if (state.error === null) unresolved.push(state);
        continue;
      }
      if (!state.fetchable || state.bufferedChunks >= MAX_BUFFERED_CHUNKS) continue;
      if (state.retryAt > now) {
        nextRetry = Math.min(nextRetry, state.retryAt);
        continue;
      }
      const leader = this.leaderOf(state, now);
      if (leader === null || this.busy.has(leader)) continue;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(state);
    }
    if (unresolved.length > 0) this.context.needPositions(unresolved);
    if (nextRetry < Infinity) this.wakeAt(nextRetry);
    for (const [leader, states] of byLeader) this.send(leader, states);
  }

  /** The partition's leader from what the fetcher knows; null while that is being looked up or there is none. */
  private leaderOf(state: PartitionState, now: number): number | null {
    const known = this.topics.get(state.topic);
    if (known === undefined || now - known.at > LEADERS_MAX_AGE_MS) this.lookUp(state.topic);
    if (known === undefined) return null;
    const leader = known.info.partitions[state.partition]?.leader ?? -1;
    if (leader >= 0) return leader;
    this.invalidate(state.topic);
    this.partitionFailed(state, new TidelogError('LEADER_NOT_AVAILABLE', `${state.topic}-${state.partition} has no leader`));
    return null;
  }

  private lookUp(topic: string): void {
    if (this.lookups.has(topic)) return;
    this.lookups.add(topic);
    this.context.cluster.topic(topic).then(
      (info) => {
        this.lookups.delete(topic);
        this.topics.set(topic, { info, at: Date.now() });
        this.wake();
      },
      (error: unknown) => {
        this.lookups.delete(topic);
        const failure = asTidelogError(error);
        for (const state of this.context.assignment.all()) if (state.topic === topic) this.partitionFailed(state, failure);
      },
    );
  }

  private send(leader: number, states: PartitionState[]): void {
    const asked = states.map((state) => ({ state, epoch: state.epoch, offset: state.fetchOffset! }));
    for (const state of states) state.inFlight = true;
    this.busy.add(leader);
    this.fetch(leader, asked).catch((error: unknown) => {
      this.release(leader, asked);
      this.context.report(asTidelogError(error));
      this.wake();
    });
  }

  /** The leader's slot and its partitions are free for the next Fetch. */
  private release(leader: number, asked: Asked[]): void {
    for (const { state } of asked) state.inFlight = false;
    this.busy.delete(leader);
  }

  private async fetch(leader: number, asked: Asked[]): Promise<void> {
    const { cluster, options, buffer } = this.context;
    let response: Decoded<FetchResponse>;
    try {
      let connection = this.connections.get(leader);
      if (connection === undefined || connection.closed) {
        connection = await cluster.connection(leader);
        this.connections.set(leader, connection);
      }
      response = await connection.request(API_KEYS.Fetch, this.request(asked), { timeoutMs: connection.requestTimeoutMs + options.maxWaitMs });
    } catch (error) {
      this.connections.delete(leader);
      this.release(leader, asked);
      const failure = asTidelogError(error);
      for (const { state } of asked) {
        this.invalidate(state.topic);
        this.partitionFailed(state, failure);
      }
      return;
    }
    this.release(leader, asked);
    const topError = errorFromCode(response.errorCode ?? 0, `Fetch from broker ${leader}`);
    if (topError) {
      for (const { state } of asked) this.partitionFailed(state, topError);
      return;
    }
    const answers = new Map<string, (typeof response.responses)[number]['partitions'][number]>();
    for (const topic of response.responses) {
      for (const p of topic.partitions) answers.set(`${topic.topic ?? ''}:${p.partitionIndex}`, p);
    }
    for (const entry of asked) {
      const answer = answers.get(entry.state.key);
      // Not answered (the broker ran out of response bytes): fetched again next time.
      if (answer !== undefined) this.accept(entry, answer);
    }
    // The next Fetch goes out before anyone decodes this answer: the broker reads while we decode.
    this.wake();
    buffer.notify();
  }

  private request(asked: Asked[]): FetchRequest {
    const { options } = this.context;
    const topics = new Map<string, FetchRequest['topics'][number]>();
    for (const { state, offset } of asked) {
      let topic = topics.get(state.topic);
      if (topic === undefined) topics.set(state.topic, (topic = { topic: state.topic, partitions: [] }));
      topic.partitions.push({ partition: state.partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: options.maxPartitionBytes });
    }
    return {
      replicaId: -1,
      maxWaitMs: options.maxWaitMs,
      minBytes: options.minBytes,
      maxBytes: options.maxBytes,
      isolationLevel: options.isolationLevel,
      // No incremental fetch sessions: every Fetch is a full one (session 0, epoch -1).
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics.values()],
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  /** One partition's answer, if it is still for the partition's current position. */
  private accept({ state, epoch, offset }: Asked, answer: Decoded<FetchResponse>['responses'][number]['partitions'][number]): void {
    const { assignment, buffer, options } = this.context;
    if (!assignment.has(state) || state.epoch !== epoch) return;
    const error = errorFromCode(answer.errorCode, `Fetch ${state.topic}-${state.partition} at offset ${offset}`);
    if (error) {
      if (error.code === 'OFFSET_OUT_OF_RANGE') {
        if (options.autoOffsetReset === 'none') state.error = error;
        else {
          buffer.discard(state);
          state.invalidate('reset');
        }
        buffer.notify();
        return;
      }
      if (REFRESH_ERRORS.has(error.code)) {
        this.invalidate(state.topic);
        this.partitionFailed(state, error);
        return;
      }
      state.error = error;
      buffer.notify();
      return;
    }
    state.retries = 0;
    state.highWatermark = answer.highWatermark;
    const records = answer.records;
    if (records === null || records.length === 0) return;
    const whole = wholeBatches(records);
    if (whole.nextOffset === null) {
      // Brokers send at least one whole batch (KIP-74), whatever the limits; a cut one alone means it is bigger than the response could hold.
      state.error = new TidelogError('MESSAGE_TOO_LARGE', `${state.topic}-${state.partition}: the record batch at offset ${offset} does not fit in a fetch response (maxBytes ${options.maxBytes}, maxPartitionBytes ${options.maxPartitionBytes})`);
      buffer.notify();
      return;
    }
    if (whole.nextOffset <= offset) {
      // Only batches below the position: asking again at once would spin.
      this.partitionFailed(state, new TidelogError('OFFSET_NOT_AVAILABLE', `${state.topic}-${state.partition}: the broker answered a Fetch at offset ${offset} with batches ending at ${whole.nextOffset}`));
      return;
    }
    state.fetchOffset = whole.nextOffset;
    buffer.push({ state, epoch, fetchOffset: offset, nextOffset: whole.nextOffset, records: whole.bytes, highWatermark: answer.highWatermark });
  }

  /** Backs the partition off before its next Fetch; an error that can't be retried also goes to the consumer. */
  private partitionFailed(state: PartitionState, error: TidelogError): void {
    if (!error.retriable) this.context.report(error);
    state.retries++;
    state.retryAt = Date.now() + backoffMs(state.retries, this.context.cluster.retry);
    this.wakeAt(state.retryAt);
  }

  private wakeAt(at: number): void {
    if (this.stopped || at >= this.retryTimerAt) return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimerAt = at;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryTimerAt = Infinity;
      this.wake();
    }, Math.max(0, at - Date.now()));
    this.retryTimer.unref();
  }
}

interface Asked {
  state: PartitionState;
  epoch: number;
  offset: bigint;
}

function asTidelogError(error: unknown): TidelogError {
  return isTidelogError(error) ? error : new TidelogError('UNKNOWN_SERVER_ERROR', (error as Error)?.message ?? String(error), { cause: error });
}
