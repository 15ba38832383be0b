import { API_KEYS, type ProduceRequest } from '../protocol/index.js';
import { buildBatch, type RecordHeader, type RecordInput } from '../record/index.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { errorFromCode, TidelogError } from './errors.js';
import { TopicMetadata } from './metadata.js';
import { defaultPartitioner, type Partitioner } from './partitioner.js';
import type { Serializer } from './serializers.js';

/**
 * A typed producer over one connection. `send` serializes each message, picks its partition
 * (explicit, else the partitioner: murmur2 of the key bytes, round-robin for null keys), and
 * appends it to that partition's open batch. A batch goes out when it reaches `batchSize` bytes
 * or `lingerMs` after its first record; everything due goes out as one Produce request per acks
 * level, one RecordBatch v2 per partition. Per partition, records keep the order of `send`
 * calls: batches are built in order and one connection answers in order.
 *
 * Delivery is at most once per call: no retries, no idempotence, no compression. A Kafka error
 * on a partition rejects the sends with records in that batch with the matching TidelogError
 * (see `retriable`). acks=0 resolves once written, with offset -1n, as Kafka's producer does.
 */

export type Acks = 0 | 1 | -1;

export type MessageHeaders = Record<string, string | Buffer> | { key: string; value: string | Buffer | null }[];

export interface ProducerMessage<K, V> {
  key?: K | null;
  /** null is a tombstone. */
  value: V | null;
  headers?: MessageHeaders;
  /** Overrides the partitioner. */
  partition?: number;
  /** CreateTime in ms since the epoch; default: when `send` is called. */
  timestamp?: number;
}

export interface SendRequest<K, V> {
  topic: string;
  messages: ProducerMessage<K, V>[];
  /** Default: the producer's `acks`. */
  acks?: Acks;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1n with acks=0. */
  offset: bigint;
  timestamp: number;
}

export interface ProducerOptions<K, V> extends Omit<ConnectionOptions, 'port'> {
  /** The broker to connect to; or pass `connection`. */
  port?: number;
  /** An open connection to use (not closed by `close`). */
  connection?: Connection;
  keySerializer: Serializer<K>;
  valueSerializer: Serializer<V>;
  /** Default: defaultPartitioner(). */
  partitioner?: Partitioner;
  /** Default -1 (all in-sync replicas). */
  acks?: Acks;
  /** How long a batch waits for more records; default 0 (sends on the next timer tick). */
  lingerMs?: number;
  /** Bytes at which a partition's batch is sent at once; default 16384 (Kafka's batch.size). */
  batchSize?: number;
  /** The broker's wait for acks (Produce timeout_ms); default 30 000. */
  ackTimeoutMs?: number;
  /** Let Metadata create missing topics (broker's auto.create.topics.enable permitting); default true. */
  allowAutoTopicCreation?: boolean;
}

interface PendingRecord {
  record: RecordInput;
  resolve(metadata: RecordMetadata): void;
  reject(error: unknown): void;
}

interface OpenBatch {
  acks: Acks;
  topic: string;
  partition: number;
  records: PendingRecord[];
  bytes: number;
}

/** RecordBatch v2 header bytes, and a bound on a record's own framing. */
const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 21;

export class Producer<K, V> {
  private readonly open = new Map<string, OpenBatch>();
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly metadata: TopicMetadata;
  private readonly partitioner: Partitioner;
  private readonly acks: Acks;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly ackTimeoutMs: number;

  private constructor(
    readonly connection: Connection,
    private readonly ownsConnection: boolean,
    private readonly options: ProducerOptions<K, V>,
  ) {
    this.metadata = new TopicMetadata(connection, options.allowAutoTopicCreation ?? true);
    this.partitioner = options.partitioner ?? defaultPartitioner();
    this.acks = options.acks ?? -1;
    this.lingerMs = options.lingerMs ?? 0;
    this.batchSize = options.batchSize ?? 16_384;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  }

  /** Connects (unless given a connection) and returns a ready producer. */
  static async create<K, V>(options: ProducerOptions<K, V>): Promise<Producer<K, V>> {
    if (options.connection) return new Producer(options.connection, false, options);
    if (options.port === undefined) throw new TypeError('Producer.create needs a port or a connection');
    const connection = await Connection.connect({ ...options, port: options.port });
    return new Producer(connection, true, options);
  }

  /** Resolves with one RecordMetadata per message, in order, once every batch holding them is acknowledged. */
  async send(request: SendRequest<K, V>): Promise<RecordMetadata[]> {
    if (this.closed) throw new TidelogError('NETWORK_EXCEPTION', 'producer is closed');
    const acks = request.acks ?? this.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) throw new TidelogError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1, not ${String(acks)}`);
    const partitionCount = await this.metadata.partitionCount(request.topic);
    const now = Date.now();
    const prepared = request.messages.map((message) => this.prepare(request.topic, partitionCount, message, now));
    return Promise.all(prepared.map(({ partition, record }) => this.append(acks, request.topic, partition, record)));
  }

  /** Sends every open batch now and waits for all outstanding requests. */
  async flush(): Promise<void> {
    this.drain();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Flushes, then closes the connection if the producer opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    if (this.ownsConnection) await this.connection.close();
  }

  private prepare(topic: string, partitionCount: number, message: ProducerMessage<K, V>, now: number): { partition: number; record: RecordInput } {
    const key = message.key == null ? null : this.options.keySerializer.serialize(message.key);
    const value = message.value === null ? null : this.options.valueSerializer.serialize(message.value);
    const partition = message.partition ?? this.partitioner({ topic, key, partitionCount });
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has ${partitionCount} partitions; there is no partition ${partition}`);
    }
    return { partition, record: { key, value, headers: headersOf(message.headers), timestamp: message.timestamp ?? now } };
  }

  private append(acks: Acks, topic: string, partition: number, record: RecordInput): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      const id = `${topic}\u0000${partition}`;
      const size = recordSize(record);
      let batch = this.open.get(id);
      // A full batch, or one at another acks level, goes out first: per partition, sends stay in order.
      if (batch && (batch.bytes + size > this.batchSize || batch.acks !== acks)) {
        this.dispatch([batch]);
        batch = undefined;
      }
      if (!batch) {
        batch = { acks, topic, partition, records: [], bytes: BATCH_OVERHEAD };
        this.open.set(id, batch);
      }
      batch.records.push({ record, resolve, reject });
      batch.bytes += size;
      if (batch.bytes >= this.batchSize) this.dispatch([batch]);
      else this.timer ??= setTimeout(() => this.drain(), this.lingerMs);
    });
  }

  /** Sends every open batch. */
  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dispatch([...this.open.values()]);
  }

  /** Takes `batches` out of the open set and sends them, one Produce request per acks level. */
  private dispatch(batches: OpenBatch[]): void {
    for (const batch of batches) this.open.delete(`${batch.topic}\u0000${batch.partition}`);
    // Requests leave in the order their first batch was opened, so a partition written at two
    // acks levels keeps the order of the sends.
    for (const acks of new Set(batches.map((b) => b.acks))) {
      const group = batches.filter((b) => b.acks === acks);
      if (group.length === 0) continue;
      const done = this.produce(acks, group).finally(() => this.inflight.delete(done));
      this.inflight.add(done);
    }
  }

  private async produce(acks: Acks, batches: OpenBatch[]): Promise<void> {
    const fail = (error: unknown) => batches.forEach((b) => b.records.forEach((r) => r.reject(error)));
    let body: ProduceRequest;
    try {
      body = { transactionalId: null, acks, timeoutMs: this.ackTimeoutMs, topicData: requestTopics(batches) };
    } catch (error) {
      return fail(error);
    }
    if (acks === 0) {
      try {
        await this.connection.send(API_KEYS.Produce, body);
      } catch (error) {
        return fail(error);
      }
      for (const b of batches) for (const r of b.records) r.resolve({ topic: b.topic, partition: b.partition, offset: -1n, timestamp: r.record.timestamp! });
      return;
    }
    let response;
    try {
      response = await this.connection.request(API_KEYS.Produce, body, { timeoutMs: this.connection.requestTimeoutMs + this.ackTimeoutMs });
    } catch (error) {
      return fail(error);
    }
    for (const b of batches) {
      const result = response.responses.find((t) => t.name === b.topic)?.partitionResponses.find((p) => p.index === b.partition);
      const error = result === undefined
        ? new TidelogError('UNKNOWN_SERVER_ERROR', `Produce: no response for ${b.topic}-${b.partition}`)
        : errorFromCode(result.errorCode, `Produce to ${b.topic}-${b.partition}`, result.errorMessage);
      if (error || result === undefined) {
        b.records.forEach((r) => r.reject(error));
        continue;
      }
      const logAppendTime = result.logAppendTimeMs !== undefined && result.logAppendTimeMs >= 0n ? Number(result.logAppendTimeMs) : undefined;
      b.records.forEach((r, i) =>
        r.resolve({ topic: b.topic, partition: b.partition, offset: result.baseOffset + BigInt(i), timestamp: logAppendTime ?? r.record.timestamp! }),
      );
    }
  }
}

function requestTopics(batches: OpenBatch[]): ProduceRequest['topicData'] {
  const byTopic = new Map<string, ProduceRequest['topicData'][number]>();
  for (const b of batches) {
    let topic = byTopic.get(b.topic);
    if (!topic) byTopic.set(b.topic, (topic = { name: b.topic, partitionData: [] }));
    const records = b.records.map((r) => r.record);
    topic.partitionData.push({ index: b.partition, records: buildBatch(records, { baseTimestamp: records[0]!.timestamp! }) });
  }
  return [...byTopic.values()];
}

function headersOf(headers: MessageHeaders | undefined): RecordHeader[] {
  if (headers === undefined) return [];
  const list = Array.isArray(headers) ? headers : Object.entries(headers).map(([key, value]) => ({ key, value }));
  return list.map(({ key, value }) => ({ key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }));
}

function recordSize(record: RecordInput): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}
