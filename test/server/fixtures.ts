import { expect } from 'vitest';
import { silentLogger, type Logger } from '../../src/common/index.js';
import { resolveBrokerConfig } from '../../src/config/index.js';
import { API_KEYS, type FetchRequest, type ProduceRequest } from '../../src/protocol/index.js';
import { BATCH_LENGTH, buildBatch, decodeRecords, LOG_OVERHEAD, readBatchHeader, type DecodedRecord } from '../../src/record/index.js';
import { startBroker, type RunningBroker } from '../../src/server/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';
import { RawClient, WaitTimeout } from './raw-client.js';

export interface TestBroker {
  broker: RunningBroker;
  dir: string;
  /** Opens a raw client to the broker; closed by `stop`. */
  connect(): Promise<RawClient>;
  /** Stops the broker (if not yet), destroys every client and removes the data dir. */
  stop(): Promise<void>;
}

/** An in-process broker on 127.0.0.1, a free port and a fresh temp data dir. `settings` by Kafka name. */
export async function startTestBroker(settings: Record<string, string> = {}, logger: Logger = silentLogger): Promise<TestBroker> {
  const { dir, cleanup } = await makeTempDir('tidelog-server-');
  const config = resolveBrokerConfig({ port: '0', host: '127.0.0.1', 'log.dirs': dir, ...settings });
  let broker: RunningBroker;
  try {
    broker = await startBroker({ config, logger });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const clients: RawClient[] = [];
  return {
    broker,
    dir,
    async connect() {
      const client = await RawClient.connect(broker.port);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      await broker.stop();
      await cleanup();
    },
  };
}

/** A batch of `count` records whose values are `${prefix}-${i}`, as a producer sends it. */
export function batchOf(prefix: string, count = 1, valueBytes = 0): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: valueBytes > 0 ? Buffer.alloc(valueBytes, i & 0xff) : Buffer.from(`${prefix}-${i}`),
    })),
    { baseTimestamp: 1_700_000_000_000 },
  );
}

/** A Produce body for one partition of one topic. */
export function produceBody(topic: string, partition: number, records: Buffer | null, acks = 1): ProduceRequest {
  return { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

/** A Fetch body for one partition. */
export function fetchBody(topic: string, partition: number, fetchOffset: bigint, options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {}): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 64 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: options.partitionMaxBytes ?? 64 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Every record of back-to-back batches (a fetch response's records). */
export function recordsOf(bytes: Buffer | null): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  if (!bytes) return out;
  let pos = 0;
  while (pos + LOG_OVERHEAD <= bytes.length) {
    const size = bytes.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (pos + size > bytes.length) break; // a partial trailing batch, which clients skip
    const batch = bytes.subarray(pos, pos + size);
    out.push(...decodeRecords(batch, readBatchHeader(batch)));
    pos += size;
  }
  return out;
}

/** Creates topics through CreateTopics v4 and checks that each was created. */
export async function createTopics(client: RawClient, topics: { name: string; partitions: number; configs?: Record<string, string> }[]): Promise<void> {
  const body = await client.request(API_KEYS.CreateTopics, 4, {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.partitions,
      replicationFactor: 1,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 10_000,
    validateOnly: false,
  });
  for (const topic of body.topics) expect({ name: topic.name, errorCode: topic.errorCode, message: topic.errorMessage }).toEqual({ name: topic.name, errorCode: 0, message: null });
}

/** Polls `condition` every few milliseconds, at most `timeoutMs`: for broker state a test cannot await. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new WaitTimeout(what, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
