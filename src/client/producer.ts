import { RECORDS } from '../record/index.js';
import { Cluster, type TopicInfo } from './cluster.js';
import { TidelogError } from './errors.js';
import { defaultPartitioner, type Partitioner } from './partitioner.js';
import { Accumulator } from './producer/accumulator.js';
import { BufferMemory } from './producer/memory.js';
import { checkAcks, resolveConfig, type Acks, type ProducerConfig, type ProducerOptions } from './producer/options.js';
import { prepareRecords, type PreparedRecords, type ProducerMessage } from './producer/prepare.js';
import { Routes } from './producer/routes.js';
import { SendCall, type ProducedRange } from './producer/send-call.js';
import { Sender } from './producer/sender.js';

export type { Acks, Compression, ProducerOptions } from './producer/options.js';
export type { MessageHeaders, ProducerMessage } from './producer/prepare.js';
export type { ProducedRange } from './producer/send-call.js';

/**
 * A typed producer over a Cluster. Each message is serialized, given a partition (its own,
 * else the partitioner: murmur2 of the key bytes as Kafka's, round-robin for null keys) and
 * encoded straight into its partition's open RecordBatch. A batch goes out when it reaches
 * `batchSize` bytes or `lingerMs` after it opened, to its partition's leader: one Produce
 * request per leader carrying one batch per partition, at most `maxInFlight` unanswered
 * requests per connection. Records wait in at most `bufferMemory` bytes; past that, sends wait
 * (`maxBlockMs` at most) for acknowledgements to free space. A send resolves once, when every
 * batch holding its records is acknowledged; no record has its own promise or timer.
 *
 * `send` answers with one RecordMetadata per message; `sendBatch`, the bulk path, with one
 * ProducedRange per partition (more only if the run was split, see below) and nothing per record.
 *
 * Delivery and order. Retriable errors (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
 * LEADER_NOT_AVAILABLE, NETWORK_EXCEPTION, REQUEST_TIMED_OUT, ...) resend the failed batches
 * only, after a backoff (`retry`), at most `retries` times and never past `deliveryTimeoutMs`;
 * metadata errors and broken connections re-route them. Without idempotence (which the broker
 * does not offer) this is at-least-once, as in Kafka:
 * - Within a partition, records are written in the order of the `send` calls that carried them,
 *   and within a call in message order, as long as no batch is resent.
 * - A batch is resent only after it failed, and it goes back ahead of every later batch of its
 *   partition that was not yet sent. But a later batch already on the wire (up to `maxInFlight`
 *   - 1 of them) may land first: with `maxInFlight: 1` a resend never reorders.
 * - A request that broke after the broker wrote it (connection lost, request timed out) is
 *   resent and its records are written twice. Errors the broker answered with were not written.
 * - acks=0 sends are not retried once written to the socket, and resolve with offset -1n.
 *
 * Failures. A send whose batch fails for good rejects with that error once none of its batches
 * is pending; its records in other batches may have been written. A send that waits more than
 * `maxBlockMs` for buffer space rejects at once with REQUEST_TIMED_OUT, saying how many of its
 * messages were already accepted (those are still delivered). Bad input (a value its serializer
 * rejects, a bad partition, a record over `maxRequestSize`) rejects the whole send with nothing
 * sent: TypeError for wrong types, TidelogError (with `code`) for the rest. A closed producer
 * rejects sends with NETWORK_EXCEPTION, as the rest of the client does.
 *
 * Throughput. The defaults are Kafka's (batchSize 16 KiB, lingerMs 0, 5 requests in flight),
 * good for latency; for bulk loads use `sendBatch` with many messages per call, `batchSize`
 * 1 MiB (the broker's default max.message.bytes allows a batch of 1 MiB + 12), and `lingerMs` of
 * a few ms when sends are small. `bufferMemory` bounds what a fast producer holds while the
 * broker catches up.
 */

export interface SendRequest<K, V> {
  topic: string;
  messages: readonly ProducerMessage<K, V>[];
  /** Default: the producer's `acks`. */
  acks?: Acks;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1n with acks=0. */
  offset: bigint;
  /** The record's CreateTime, or the broker's LogAppendTime when the topic uses that. */
  timestamp: number;
}

export class Producer<K, V> {
  private readonly config: ProducerConfig;
  private readonly partitioner: Partitioner;
  private readonly memory: BufferMemory;
  private readonly routes: Routes;
  private readonly accumulator: Accumulator;
  private readonly sender: Sender;
  /** Sends not yet settled, for flush. */
  private readonly unsettled = new Set<SendCall>();
  private closing: Promise<void> | null = null;
  /** Metadata lookups sends are waiting on, by topic. */
  private readonly metadataWaits = new Map<string, { info: Promise<TopicInfo>; waiters: number }>();
  /** Largest encoded record: it must fit one request and the buffer, with a batch header. */
  private readonly maxRecordBytes: number;

  private constructor(
    /** The producer's view of the cluster (its own; closed by `close`). */
    readonly cluster: Cluster,
    private readonly options: ProducerOptions<K, V>,
  ) {
    this.config = resolveConfig(options);
    this.partitioner = options.partitioner ?? defaultPartitioner();
    this.maxRecordBytes = Math.min(this.config.maxRequestSize, this.config.bufferMemory) - RECORDS;
    this.memory = new BufferMemory(this.config.bufferMemory, this.config.maxBlockMs, () => this.sender.drain());
    this.routes = new Routes(
      cluster,
      {
        maxAgeMs: options.metadataMaxAgeMs ?? 300_000,
        initialBackoffMs: this.config.initialBackoffMs,
        maxBackoffMs: this.config.maxBackoffMs,
        retries: cluster.retry.retries,
      },
      (at) => this.sender.wake(at),
    );
    this.accumulator = new Accumulator(this.config, this.memory, () => this.sender.drain());
    this.sender = new Sender(cluster, this.routes, this.accumulator, this.memory, this.config);
  }

  /** Checks the options, connects to a bootstrap broker and returns a ready producer. */
  static async create<K, V>(options: ProducerOptions<K, V>): Promise<Producer<K, V>> {
    resolveConfig(options); // bad options fail before any connection is opened
    const cluster = await Cluster.connect(options);
    return new Producer(cluster, options);
  }

  /** Bytes of records buffered and not yet acknowledged (never above `bufferMemory`). */
  get bufferedBytes(): number {
    return this.memory.used;
  }

  /** Resolves with one RecordMetadata per message, in order, once every batch holding them is acknowledged. */
  async send(request: SendRequest<K, V>): Promise<RecordMetadata[]> {
    const { call, records } = await this.enqueue(request, true);
    const { slice, delta } = call.perMessage!;
    const out: RecordMetadata[] = [];
    for (let i = 0; i < records.count; i++) {
      const batch = call.slices[slice[i]!]!.batch;
      out.push({
        topic: request.topic,
        partition: batch.partition,
        offset: batch.baseOffset < 0n ? -1n : batch.baseOffset + BigInt(delta[i]!),
        timestamp: batch.logAppendTime >= 0 ? batch.logAppendTime : records.timestamps === null ? records.now : records.timestamps[i]!,
      });
    }
    return out;
  }

  /**
   * The bulk send: resolves once every batch holding the messages is acknowledged, with one
   * ProducedRange per partition written to (a partition's run is split in two only where a
   * resend put another batch in between), and no object per record.
   */
  async sendBatch(request: SendRequest<K, V>): Promise<ProducedRange[]> {
    const { call } = await this.enqueue(request, false);
    return call.ranges();
  }

  /**
   * Sends every buffered record now and waits until the sends made before it, and every record
   * they buffered, are settled (whatever the outcome).
   */
  async flush(): Promise<void> {
    const calls = [...this.unsettled];
    this.sender.flushing++;
    try {
      this.sender.drain();
      await Promise.allSettled(calls.map((call) => call.done));
      await this.accumulator.settled();
    } finally {
      this.sender.flushing--;
    }
  }

  /** Refuses new sends, delivers those already made (as flush), then closes the connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      this.accumulator.stop();
      this.sender.stop();
      await this.cluster.close();
    })();
    return this.closing;
  }

  private async enqueue(request: SendRequest<K, V>, detailed: boolean): Promise<{ call: SendCall; records: PreparedRecords }> {
    if (this.closing) throw new TidelogError('NETWORK_EXCEPTION', 'the producer is closed');
    if (request === null || typeof request !== 'object') throw new TypeError(`send takes { topic, messages }, not ${request === null ? 'null' : typeof request}`);
    const { topic } = request;
    if (typeof topic !== 'string' || topic.length === 0) throw new TypeError(`send: topic must be a non-empty string, not ${JSON.stringify(topic)}`);
    const acks = request.acks === undefined ? this.config.acks : checkAcks(request.acks);
    const info = (this.metadataWaits.has(topic) ? null : this.routes.known(topic)) ?? (await this.awaitMetadata(topic));
    if (this.closing) throw new TidelogError('NETWORK_EXCEPTION', 'the producer is closed');
    const partitionCount = info.partitions.length;
    const records = prepareRecords(request.messages, {
      topic,
      partitionCount,
      keySerializer: this.options.keySerializer,
      valueSerializer: this.options.valueSerializer,
      partitioner: this.partitioner,
      maxRecordBytes: this.maxRecordBytes,
    });
    const call = new SendCall(topic, detailed ? { slice: new Int32Array(records.count), delta: new Int32Array(records.count) } : null);
    this.unsettled.add(call);
    void call.done.then(
      () => this.unsettled.delete(call),
      () => this.unsettled.delete(call),
    );
    await this.append(call, acks, records, partitionCount);
    await call.done;
    return { call, records };
  }

  /**
   * Waits for a topic's metadata. Every send that needs it waits on one shared lookup, and so do
   * later sends to the topic until all those have resumed: sends resume in call order, which
   * keeps their records in call order.
   */
  private async awaitMetadata(topic: string): Promise<TopicInfo> {
    let wait = this.metadataWaits.get(topic);
    if (wait === undefined) {
      wait = { info: this.routes.resolve(topic, this.config.maxBlockMs), waiters: 0 };
      this.metadataWaits.set(topic, wait);
    }
    wait.waiters++;
    try {
      return await wait.info;
    } finally {
      if (--wait.waiters === 0 && this.metadataWaits.get(topic) === wait) this.metadataWaits.delete(topic);
    }
  }

  /** The append pass, waiting for buffer space as often as the call needs. */
  private async append(call: SendCall, acks: Acks, records: PreparedRecords, partitionCount: number): Promise<void> {
    const queues = this.accumulator.queues(call.topic, partitionCount);
    let next = 0;
    try {
      for (;;) {
        const progress = this.accumulator.append(call, acks, queues, records, next, call.perMessage);
        next = progress.next;
        if (this.accumulator.fullSinceDrain) this.sender.drain();
        // A failed batch of this call fails it: appending the rest would only add to the loss.
        if (next === records.count || call.failed) break;
        await this.memory.wait(call, progress.needed);
      }
      call.finishAppending();
    } catch (error) {
      const accepted = `${next} of ${records.count} messages of this send were accepted before and are still delivered`;
      call.abandon(error instanceof TidelogError ? new TidelogError(error.code, `${error.message}; ${accepted}`, { cause: error }) : error);
    } finally {
      this.memory.release(call);
      // The batches hold copies now: let the serialized keys and values go before the acks come,
      // so that young-generation GCs don't copy them around meanwhile.
      records.keys = null;
      records.values = [];
    }
  }
}
