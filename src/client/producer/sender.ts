import { API_KEYS, type Decoded, type ProduceRequest, type ProduceResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { errorFromCode, isTidelogError, TidelogError } from '../errors.js';
import { backoffMs, isRetriable } from '../retry.js';
import type { Accumulator, PartitionQueue } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import type { BufferMemory } from './memory.js';
import type { Acks, ProducerConfig } from './options.js';
import type { Routes } from './routes.js';

/**
 * Moves due batches to their partitions' leaders: per leader, while fewer than its connection's
 * maxInFlight requests await answers, one Produce request holding the head batch of every due
 * partition there (Kafka takes one batch per partition per request, and so do we), up to
 * maxRequestSize. A drain runs when batches fill or come due, when a response frees a slot,
 * when metadata or a connection arrives, and when a retry's backoff ends (one timer, set to the
 * earliest such moment).
 *
 * Failures: a retriable partition error or a broken request puts the batch back in its place in
 * its partition's queue after a backoff; NOT_LEADER_OR_FOLLOWER and kin, and broken
 * connections, also drop the topic's metadata so the batch is routed afresh. Only the batches
 * that failed are resent. A batch fails for good on a non-retriable error, after `retries`
 * resends, or once its deliveryTimeoutMs is up (it is not resent past that point; one already on
 * the wire gets its answer or its request timeout).
 */

/** Errors after which the leader we know is no longer the leader. */
const STALE_METADATA = new Set(['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'KAFKA_STORAGE_ERROR', 'NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']);

interface Broker {
  nodeId: number;
  connection: Connection | null;
  connecting: boolean;
  inFlight: number;
  failures: number;
  retryAt: number;
}

export class Sender {
  private readonly brokers = new Map<number, Broker>();
  private draining = false;
  private drainAgain = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeTime = Infinity;
  /** While positive, partial batches go at once (flush, close). */
  flushing = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly routes: Routes,
    private readonly accumulator: Accumulator,
    private readonly memory: BufferMemory,
    private readonly config: ProducerConfig,
  ) {}

  /** Sends what is due and can go now. */
  drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        this.accumulator.fullSinceDrain = false;
        this.drainOnce();
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  /** Drains at `at` (ms since the epoch) unless something earlier already will. */
  wake(at?: number): void {
    if (at === undefined) return this.drain();
    if (at >= this.wakeTime || this.accumulator.heldBatches === 0) return;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTime = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeTime = Infinity;
      this.drain();
    }, Math.max(0, at - Date.now()));
  }

  /** Nothing is held any more: no timer may keep the process alive. */
  stop(): void {
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeTime = Infinity;
  }

  private drainOnce(): void {
    const now = Date.now();
    const everything = this.flushing > 0 || this.memory.waiting;
    if (everything) this.accumulator.allDue();
    const byBroker = new Map<Broker, PartitionQueue[]>();
    for (const queue of this.accumulator.waiting) {
      this.expire(queue, now);
      const head = queue.batches[0];
      if (head === undefined) {
        this.accumulator.waiting.delete(queue);
        continue;
      }
      if (!head.full && !head.due) continue;
      if (head.retryAt > now) {
        this.wake(Math.min(head.retryAt, head.deadline));
        continue;
      }
      const leader = this.routes.leaderOf(queue.topic, queue.partition);
      const broker = leader === undefined ? undefined : this.broker(leader);
      if (broker === undefined || !this.connected(broker)) {
        this.wake(head.deadline);
        continue;
      }
      if (broker.inFlight >= broker.connection!.maxInFlight) continue; // its next answer drains again
      let queues = byBroker.get(broker);
      if (queues === undefined) byBroker.set(broker, (queues = []));
      queues.push(queue);
    }
    for (const [broker, queues] of byBroker) this.sendTo(broker, queues, now);
  }

  /** Requests to one broker while it has room, each with the head batch of each partition at one acks level. */
  private sendTo(broker: Broker, queues: PartitionQueue[], now: number): void {
    const connection = broker.connection!;
    let round = queues;
    while (round.length > 0 && broker.inFlight < connection.maxInFlight && !connection.closed) {
      let acks: Acks | undefined;
      let bytes = 0;
      const taken: ProducerBatch[] = [];
      const later: PartitionQueue[] = [];
      for (const queue of round) {
        const head = queue.batches[0];
        if (head === undefined || !(head.full || head.due) || head.retryAt > now) continue;
        acks ??= head.acks;
        if (head.acks !== acks || (taken.length > 0 && bytes + head.size > this.config.maxRequestSize)) {
          later.push(queue);
          continue;
        }
        queue.batches.shift();
        try {
          bytes += head.close(this.config.compression).length;
        } catch (error) {
          this.fail(head, error);
          continue;
        }
        taken.push(head);
        if (queue.batches.length > 0) later.push(queue);
      }
      if (taken.length > 0) this.produce(broker, connection, acks!, taken);
      else if (later.length === round.length) break;
      round = later;
    }
  }

  private produce(broker: Broker, connection: Connection, acks: Acks, batches: ProducerBatch[]): void {
    const topicData: ProduceRequest['topicData'] = [];
    const byTopic = new Map<string, ProduceRequest['topicData'][number]>();
    for (const batch of batches) {
      batch.attempts++;
      let topic = byTopic.get(batch.topic);
      if (topic === undefined) {
        topic = { name: batch.topic, partitionData: [] };
        byTopic.set(batch.topic, topic);
        topicData.push(topic);
      }
      topic.partitionData.push({ index: batch.partition, records: batch.wire });
    }
    const body: ProduceRequest = { transactionalId: null, acks, timeoutMs: this.config.ackTimeoutMs, topicData };
    broker.inFlight++;
    if (acks === 0) {
      connection.send(API_KEYS.Produce, body).then(
        () => this.answered(broker, () => batches.forEach((batch) => this.complete(batch, -1n, -1))),
        (error: unknown) => this.answered(broker, () => this.requestFailed(batches, error)),
      );
      return;
    }
    connection.request(API_KEYS.Produce, body, { timeoutMs: connection.requestTimeoutMs + this.config.ackTimeoutMs }).then(
      (response) => this.answered(broker, () => this.handleResponse(batches, response)),
      (error: unknown) => this.answered(broker, () => this.requestFailed(batches, error)),
    );
  }

  private answered(broker: Broker, settle: () => void): void {
    broker.inFlight--;
    settle();
    this.drain();
  }

  private handleResponse(batches: ProducerBatch[], response: Decoded<ProduceResponse>): void {
    const now = Date.now();
    const pending = new Map<string, ProducerBatch>();
    for (const batch of batches) pending.set(`${batch.partition}:${batch.topic}`, batch);
    for (const topic of response.responses) {
      for (const result of topic.partitionResponses) {
        const id = `${result.index}:${topic.name}`;
        const batch = pending.get(id);
        if (batch === undefined) continue;
        pending.delete(id);
        const error = errorFromCode(result.errorCode, `Produce to ${batch.topic}-${batch.partition}`, result.errorMessage);
        if (error) this.retryOrFail(batch, error, now);
        else this.complete(batch, result.baseOffset, result.logAppendTimeMs === undefined || result.logAppendTimeMs < 0n ? -1 : Number(result.logAppendTimeMs));
      }
    }
    for (const batch of pending.values()) this.fail(batch, new TidelogError('UNKNOWN_SERVER_ERROR', `Produce: the broker did not answer for ${batch.topic}-${batch.partition}`));
  }

  private requestFailed(batches: ProducerBatch[], error: unknown): void {
    const now = Date.now();
    for (const batch of batches) this.retryOrFail(batch, error, now);
  }

  private retryOrFail(batch: ProducerBatch, error: unknown, now: number): void {
    if (!isRetriable(error)) return this.fail(batch, error);
    if (isTidelogError(error) && STALE_METADATA.has(error.code)) this.routes.invalidate(batch.topic);
    const retryAt = now + backoffMs(batch.attempts, { initialBackoffMs: this.config.initialBackoffMs, maxBackoffMs: this.config.maxBackoffMs });
    if (batch.attempts > this.config.retries) return this.fail(batch, error);
    if (retryAt >= batch.deadline) return this.fail(batch, expired(batch, error));
    batch.retryAt = retryAt;
    batch.lastError = error;
    const queue = this.accumulator.queues(batch.topic, batch.partition + 1)[batch.partition]!;
    queue.reinsert(batch);
    this.accumulator.waiting.add(queue);
    this.wake(retryAt);
  }

  /** Fails the partition's oldest batches once their delivery timeout is up. */
  private expire(queue: PartitionQueue, now: number): void {
    while (queue.batches.length > 0 && queue.batches[0]!.deadline <= now) {
      const batch = queue.batches.shift()!;
      this.fail(batch, expired(batch, batch.lastError));
    }
  }

  private complete(batch: ProducerBatch, baseOffset: bigint, logAppendTime: number): void {
    batch.baseOffset = baseOffset;
    batch.logAppendTime = logAppendTime;
    for (const slice of batch.slices) slice.call.sliceDone();
    this.settled(batch);
  }

  private fail(batch: ProducerBatch, error: unknown): void {
    for (const slice of batch.slices) slice.call.sliceFailed(error);
    this.settled(batch);
  }

  private settled(batch: ProducerBatch): void {
    this.accumulator.settle(batch);
    if (this.accumulator.heldBatches === 0) this.stop();
    this.memory.free(batch.size);
  }

  private broker(nodeId: number): Broker {
    let broker = this.brokers.get(nodeId);
    if (broker === undefined) {
      broker = { nodeId, connection: null, connecting: false, inFlight: 0, failures: 0, retryAt: 0 };
      this.brokers.set(nodeId, broker);
    }
    return broker;
  }

  /** Whether the broker's connection is up; if not, opens one (after a backoff if the last try failed). */
  private connected(broker: Broker): boolean {
    if (broker.connection !== null && !broker.connection.closed) return true;
    broker.connection = null;
    if (broker.connecting) return false;
    if (Date.now() < broker.retryAt) {
      this.wake(broker.retryAt);
      return false;
    }
    broker.connecting = true;
    this.cluster.connection(broker.nodeId).then(
      (connection) => {
        broker.connecting = false;
        broker.connection = connection;
        broker.failures = 0;
        this.drain();
      },
      () => {
        broker.connecting = false;
        broker.failures++;
        broker.retryAt = Date.now() + backoffMs(broker.failures, { initialBackoffMs: this.config.initialBackoffMs, maxBackoffMs: this.config.maxBackoffMs });
        this.wake(broker.retryAt);
      },
    );
    return false;
  }
}

function expired(batch: ProducerBatch, cause: unknown): TidelogError {
  const last = cause instanceof Error ? `; last error: ${cause.message}` : '';
  return new TidelogError('REQUEST_TIMED_OUT', `${batch.count} record(s) for ${batch.topic}-${batch.partition} expired: deliveryTimeoutMs passed after ${batch.attempts} attempt(s)${last}`, cause === undefined ? undefined : { cause });
}
