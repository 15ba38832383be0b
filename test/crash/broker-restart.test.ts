import { access, appendFile, readdir, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, decodeResponse, encodeRequest, FrameSplitter } from '../../src/protocol/index.js';
import { decodeRecords, readBatchHeader, LOG_OVERHEAD } from '../../src/record/index.js';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

/**
 * A real broker process, stopped and started again on the same data directory.
 *
 * - Graceful: SIGTERM (exit 0). Topics come back with their partition counts and config
 *   overrides, every partition serves byte-identical batches, and offsets carry on.
 * - kill -9 while producers with acks=1 and acks=-1 have requests in flight: every
 *   acknowledged record is there after the restart, at its acknowledged offset. A torn
 *   batch appended to a segment while the broker is down is cut by recovery, and new
 *   records carry on at the right offset.
 *
 * Produced with kafkajs; read back with a plain Fetch over our own protocol codecs, so the
 * bytes the broker serves can be compared exactly.
 */

const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const FETCH_VERSION = 11;

// ---- a minimal raw client: Fetch v11 over one socket ----

class RawClient {
  private readonly splitter = new FrameSplitter();
  private readonly waiting = new Map<number, (frame: Buffer) => void>();
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    // A broker killed under us resets the connection; pending fetches then time out.
    socket.on('error', () => undefined);
    socket.on('data', (chunk) =>
      this.splitter.push(chunk, (frame) => {
        const id = frame.readInt32BE(0);
        this.waiting.get(id)?.(Buffer.from(frame));
        this.waiting.delete(id);
      }),
    );
  }

  static open(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  async fetch(topic: string, partition: number, fetchOffset: bigint) {
    const correlationId = ++this.correlationId;
    const request = encodeRequest(
      { apiKey: API_KEYS.Fetch, apiVersion: FETCH_VERSION, correlationId, clientId: 'restart-test' },
      { maxWaitMs: 0, minBytes: 0, maxBytes: 64 << 20, isolationLevel: 0, topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 16 << 20 }] }] },
    );
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fetch timed out')), 15_000);
      this.waiting.set(correlationId, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      this.socket.write(request);
    });
    const { body } = decodeResponse(API_KEYS.Fetch, FETCH_VERSION, frame);
    const p = body.responses[0]!.partitions[0]!;
    return { errorCode: p.errorCode, highWatermark: p.highWatermark, records: p.records ?? Buffer.alloc(0) };
  }

  /** Every whole batch of a partition, in order, exactly as served, and its high watermark. */
  async readPartition(topic: string, partition: number): Promise<{ batches: Buffer[]; highWatermark: bigint }> {
    const batches: Buffer[] = [];
    let offset = 0n;
    for (let round = 0; round < 10_000; round++) {
      const { errorCode, highWatermark, records } = await this.fetch(topic, partition, offset);
      expect(errorCode, `fetch ${topic}-${partition} at ${offset}`).toBe(0);
      let pos = 0;
      while (pos + LOG_OVERHEAD <= records.length) {
        const size = records.readInt32BE(pos + 8) + LOG_OVERHEAD;
        if (pos + size > records.length) break; // a partial batch at the end: fetch it next round
        const batch = Buffer.from(records.subarray(pos, pos + size));
        const header = readBatchHeader(batch);
        const last = header.baseOffset + BigInt(header.lastOffsetDelta);
        if (last >= offset) batches.push(batch);
        offset = last + 1n;
        pos += size;
      }
      if (offset >= highWatermark) return { batches, highWatermark };
      if (pos === 0) throw new Error(`no progress reading ${topic}-${partition} at ${offset}`);
    }
    throw new Error(`reading ${topic}-${partition} did not finish`);
  }
}

interface Read {
  offset: bigint;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

function decodeAll(batches: Buffer[]): Read[] {
  return batches.flatMap((batch) =>
    decodeRecords(batch).map((r) => ({
      offset: r.offset,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
      timestamp: r.timestamp,
      headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
    })),
  );
}

// ---- fixtures ----

let broker: BrokerProcess;
const clients: { admin: Admin; producers: Producer[]; raw: RawClient }[] = [];

beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  for (const c of clients.splice(0)) {
    c.raw.close();
    for (const p of c.producers) await p.disconnect().catch(() => undefined);
    await c.admin.disconnect().catch(() => undefined);
  }
  await shutdownBroker(broker);
});

/** Fresh clients for the broker as it runs now (its port may change on restart). */
async function connectClients(options: { retries: number } = { retries: 3 }) {
  const kafka = new Kafka({ clientId: 'restart-test', brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: options.retries } });
  const admin = kafka.admin();
  await admin.connect();
  const raw = await RawClient.open(broker.host, broker.port);
  const entry = { admin, producers: [] as Producer[], raw };
  clients.push(entry);
  return {
    admin,
    raw,
    producer: async () => {
      const p = kafka.producer({ retry: { retries: options.retries } });
      await p.connect();
      entry.producers.push(p);
      return p;
    },
    close: async () => {
      clients.splice(clients.indexOf(entry), 1);
      raw.close();
      for (const p of entry.producers) await p.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function lastSegment(topic: string, partition: number): Promise<string> {
  const dir = join(broker.dataDir, `${topic}-${partition}`);
  const logs = (await readdir(dir)).filter((n) => /^\d{20}\.log$/.test(n)).sort();
  return join(dir, logs[logs.length - 1]!);
}

async function segmentCount(topic: string, partition: number): Promise<number> {
  return (await readdir(join(broker.dataDir, `${topic}-${partition}`))).filter((n) => /^\d{20}\.log$/.test(n)).length;
}

async function topicConfigs(admin: Admin, topic: string): Promise<Record<string, { value: string; source: number }>> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, { value: e.configValue, source: e.configSource }]));
}

// ---- tests ----

describe('broker restart', () => {
  it('after a graceful stop: topics, configs and byte-identical data come back; offsets carry on', async () => {
    const many = `restart-many-${Date.now().toString(36)}`;
    const one = `restart-one-${Date.now().toString(36)}`;
    let c = await connectClients();
    await c.admin.createTopics({
      topics: [
        {
          topic: many,
          numPartitions: 3,
          // Small segments, so each partition spans several; old timestamps kept forever.
          configEntries: [
            { name: 'segment.bytes', value: '8192' },
            { name: 'retention.ms', value: '-1' },
            { name: 'max.message.bytes', value: '300000' },
          ],
        },
        { topic: one, numPartitions: 1 },
      ],
    });
    const producer = await c.producer();
    const base = 1_650_000_000_000;
    for (let i = 0; i < 30; i++) {
      await producer.send({
        topic: many,
        acks: i % 2 === 0 ? -1 : 1,
        messages: Array.from({ length: 8 }, (_, j) => ({
          partition: (i + j) % 3,
          key: j % 4 === 0 ? null : `key-${i}-${j}`,
          value: `value-${i}-${j}-${'#'.repeat((i * 37 + j * 11) % 200)}`,
          timestamp: String(base + i * 1000 + j),
          headers: j % 3 === 0 ? { round: String(i), slot: String(j) } : undefined,
        })),
      });
    }
    await producer.send({ topic: one, acks: -1, messages: [{ key: 'only', value: 'one', timestamp: String(Date.now()) }] });

    const before = new Map<string, { batches: Buffer[]; highWatermark: bigint }>();
    for (const [topic, partitions] of [
      [many, 3],
      [one, 1],
    ] as const) {
      for (let p = 0; p < partitions; p++) before.set(`${topic}-${p}`, await c.raw.readPartition(topic, p));
    }
    for (let p = 0; p < 3; p++) expect(await segmentCount(many, p), `${many}-${p} segments`).toBeGreaterThan(1);
    const configsBefore = await topicConfigs(c.admin, many);
    const byTimeBefore = await c.admin.fetchTopicOffsetsByTimestamp(many, base + 15_000);
    for (let p = 0; p < 3; p++) {
      const firstAtOrAfter = decodeAll(before.get(`${many}-${p}`)!.batches).find((r) => r.timestamp >= base + 15_000)!;
      expect(byTimeBefore.find((o) => o.partition === p)!.offset).toBe(String(firstAtOrAfter.offset));
    }
    await c.close();

    await broker.stop(); // SIGTERM; throws unless the exit code is 0
    for (const name of before.keys()) expect(await exists(join(broker.dataDir, name, CLEAN_SHUTDOWN_FILE)), `${name} closed cleanly`).toBe(true);
    await broker.restart();

    c = await connectClients();
    expect(await c.admin.listTopics()).toEqual(expect.arrayContaining([many, one]));
    const { topics } = await c.admin.fetchTopicMetadata({ topics: [many, one] });
    expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({ [many]: 3, [one]: 1 });

    const configsAfter = await topicConfigs(c.admin, many);
    expect(configsAfter).toEqual(configsBefore);
    expect(configsAfter['segment.bytes']).toEqual({ value: '8192', source: 1 });
    expect(configsAfter['retention.ms']).toEqual({ value: '-1', source: 1 });
    expect(configsAfter['max.message.bytes']).toEqual({ value: '300000', source: 1 });
    expect((await topicConfigs(c.admin, one))['segment.bytes']).toEqual({ value: '1073741824', source: 5 });

    for (const [name, old] of before) {
      const topic = name.slice(0, name.lastIndexOf('-'));
      const partition = Number(name.slice(name.lastIndexOf('-') + 1));
      const now = await c.raw.readPartition(topic, partition);
      expect(now.highWatermark, name).toBe(old.highWatermark);
      expect(now.batches.length, name).toBe(old.batches.length);
      expect(Buffer.concat(now.batches).equals(Buffer.concat(old.batches)), `${name} bytes`).toBe(true);
    }
    // The time indexes came back too.
    expect(await c.admin.fetchTopicOffsetsByTimestamp(many, base + 15_000)).toEqual(byTimeBefore);

    // New records carry on from the old end.
    const producer2 = await c.producer();
    for (let p = 0; p < 3; p++) {
      const [result] = await producer2.send({ topic: many, acks: -1, messages: [{ partition: p, value: `after restart ${p}` }] });
      expect(result!.baseOffset, `${many}-${p}`).toBe(String(before.get(`${many}-${p}`)!.highWatermark));
      const { batches, highWatermark } = await c.raw.readPartition(many, p);
      expect(highWatermark).toBe(before.get(`${many}-${p}`)!.highWatermark + 1n);
      expect(decodeAll(batches).at(-1)!.value).toBe(`after restart ${p}`);
    }
    await c.close();
  });

  it('after kill -9: every acknowledged record (acks=1 and acks=-1) survives; recovery cuts a torn tail', async () => {
    const topic = `restart-kill-${Date.now().toString(36)}`;
    let c = await connectClients({ retries: 0 });
    await c.admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'segment.bytes', value: '16384' }] }] });
    const durable = await c.producer();
    const leader = await c.producer();

    interface Ack {
      partition: number;
      baseOffset: bigint;
      values: string[];
      acks: number;
    }
    const acked: Ack[] = [];
    const sent = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const ACKS_BEFORE_KILL = 80;
    const MAX_SENDS = 1_000;
    const deadline = Date.now() + 15_000;
    let killed = false;

    const sendOne = (seq: number) => {
      // seq 0, 1, 2, 3, ... go to partitions 0, 0, 1, 1, ... with acks -1, 1, -1, 1, ...
      const acks = seq % 2 === 0 ? -1 : 1;
      const partition = Math.floor(seq / 2) % 2;
      const values = [0, 1, 2].map((i) => `s${seq}-${i}-${'.'.repeat(seq % 97)}`);
      for (const v of values) sent.add(v);
      const promise = (acks === -1 ? durable : leader)
        .send({ topic, acks, messages: values.map((value) => ({ key: `k${seq}`, value, partition })) })
        .then(
          ([result]) => {
            if (!killed) acked.push({ partition: result!.partition, baseOffset: BigInt(result!.baseOffset!), values, acks });
          },
          () => undefined, // in flight at the kill: may or may not have been stored
        )
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    };

    // Keep up to 8 requests in flight, and kill the broker mid-stream.
    for (let seq = 0; seq < MAX_SENDS && Date.now() < deadline; seq++) {
      while (inFlight.size >= 8) await Promise.race(inFlight);
      sendOne(seq);
      if (acked.length >= ACKS_BEFORE_KILL) break;
    }
    expect(inFlight.size).toBeGreaterThan(0);
    killed = true; // answers that arrive from here on are not counted as acknowledged
    await broker.kill();
    const settled = Promise.all(inFlight);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    await c.close();

    expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    expect(acked.some((a) => a.acks === 1) && acked.some((a) => a.acks === -1)).toBe(true);
    for (const p of [0, 1]) expect(await exists(join(broker.dataDir, `${topic}-${p}`, CLEAN_SHUTDOWN_FILE)), 'no clean-shutdown marker').toBe(false);

    // While it is down, a torn write: half a batch at the end of partition 0's active segment.
    const torn = await lastSegment(topic, 0);
    const sizeBeforeTear = (await stat(torn)).size;
    const tail = Buffer.alloc(40, 0xab);
    tail.writeBigInt64BE(1_000_000n, 0); // a base offset
    tail.writeInt32BE(500, 8); // a length far beyond the bytes that follow
    await appendFile(torn, tail);

    await broker.restart();
    // Recovery ran: the torn bytes are gone (and nothing else was cut that was whole).
    expect((await stat(torn)).size).toBeLessThanOrEqual(sizeBeforeTear);

    c = await connectClients();
    for (const partition of [0, 1]) {
      const { batches, highWatermark } = await c.raw.readPartition(topic, partition);
      const records = decodeAll(batches);
      // Offsets run 0..HW-1 without gaps, and every record is one a producer sent.
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: Number(highWatermark) }, (_, i) => BigInt(i)));
      for (const r of records) expect(sent.has(r.value!), `unexpected record ${r.value}`).toBe(true);
      // Every acknowledged record is there, at its acknowledged offset.
      const byOffset = new Map(records.map((r) => [r.offset, r.value]));
      for (const ack of acked.filter((a) => a.partition === partition)) {
        ack.values.forEach((value, i) => expect(byOffset.get(ack.baseOffset + BigInt(i)), `acks=${ack.acks} ${value}`).toBe(value));
      }
      // And new records carry on from the recovered end.
      const producer = await c.producer();
      const [result] = await producer.send({ topic, acks: -1, messages: [{ partition, value: `after recovery ${partition}` }] });
      expect(result!.baseOffset).toBe(String(highWatermark));
      const again = await c.raw.readPartition(topic, partition);
      expect(again.highWatermark).toBe(highWatermark + 1n);
      expect(decodeAll(again.batches).at(-1)).toMatchObject({ offset: highWatermark, value: `after recovery ${partition}` });
    }
    await c.close();
    // The recovered broker shuts down cleanly too (afterAll asserts the exit code).
  });
});
