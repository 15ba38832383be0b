import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../src/protocol/index.js';
import { BATCH_LENGTH, buildBatch, compressionOf, LOG_OVERHEAD, readBatchHeader, RECORDS, type CompressionCodec, type RecordInput } from '../../src/record/index.js';
import { createTopics, fetchBody, produceBody, recordsOf, startTestBroker, type TestBroker } from '../server/fixtures.js';
import type { RawClient } from '../server/raw-client.js';
import { KCAT, kcatBase, kcatConsume, runOk, uniqueTopic } from './tools.js';

/**
 * Our codecs against librdkafka's (kcat 1.7.1 on librdkafka 2.0.2): batches kcat compresses
 * decode with src/record, batches src/record compresses are read by kcat byte for byte, and
 * the broker finds an offset by timestamp inside a compressed batch kcat wrote.
 */

const CODECS: CompressionCodec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

let broker: TestBroker;
let client: RawClient;
let address: string;
beforeAll(async () => {
  broker = await startTestBroker();
  client = await broker.connect();
  address = `127.0.0.1:${broker.broker.port}`;
});
afterAll(async () => {
  await broker.stop();
});

async function newTopic(prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  await createTopics(client, [{ name: topic, partitions: 1 }]);
  return topic;
}

/** The batches of partition 0 from offset 0, as the broker stores them. */
async function fetchAll(topic: string): Promise<Buffer> {
  const fetched = await client.request(API_KEYS.Fetch, 11, fetchBody(topic, 0, 0n));
  const partition = fetched.responses[0]!.partitions[0]!;
  expect(partition.errorCode).toBe(0);
  return partition.records ?? Buffer.alloc(0);
}

/** Each batch's base offset, record count and codec. */
function batchesOf(bytes: Buffer): { baseOffset: bigint; count: number; codec: CompressionCodec }[] {
  const out = [];
  for (let pos = 0; pos + LOG_OVERHEAD <= bytes.length; pos += LOG_OVERHEAD + bytes.readInt32BE(pos + BATCH_LENGTH)) {
    const header = readBatchHeader(bytes, pos);
    out.push({ baseOffset: header.baseOffset, count: header.recordsCount, codec: compressionOf(header.attributes) });
  }
  return out;
}

/** JSON-ish lines that compress well (librdkafka sends a batch uncompressed when compressing does not shrink it). */
function lines(count: number): { key: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${i % 7}`,
    value: JSON.stringify({ id: i, event: ['click', 'view', 'buy'][i % 3], user: `user-${i % 13}`, pad: 'x'.repeat(i % 50) }),
  }));
}

/** A value big enough to span several snappy (32 KiB) and lz4 (64 KB) blocks. */
const BIG_VALUE = JSON.stringify(Array.from({ length: 6000 }, (_, i) => ({ n: i, tag: `t${i % 97}` })));

describe('kcat -z <codec> → our decoding', () => {
  for (const codec of CODECS) {
    it(`${codec}: every batch arrives ${codec}-compressed and decodes to what kcat was given`, async () => {
      const topic = await newTopic(`cx-in-${codec}`);
      const written = [...lines(300), { key: 'big', value: BIG_VALUE }];
      // A long linger puts every line in one batch: librdkafka sends a batch uncompressed when
      // compressing does not shrink it, which a batch of one short line can be.
      await runOk(KCAT, [...kcatBase(address), '-P', '-t', topic, '-p', '0', '-K:', '-z', codec, '-X', 'linger.ms=1000'], {
        input: written.map((m) => `${m.key}:${m.value}`).join('\n') + '\n',
      });
      const bytes = await fetchAll(topic);
      const batches = batchesOf(bytes);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.map((b) => b.codec)).toEqual(batches.map(() => codec));
      // librdkafka writes raw snappy, not Java's xerial framing: this is the raw path.
      if (codec === 'snappy') expect(bytes.subarray(RECORDS, RECORDS + 8).equals(XERIAL_MAGIC)).toBe(false);
      const read = recordsOf(bytes);
      expect(read.map((r) => ({ offset: r.offset, key: r.key?.toString(), value: r.value?.toString() }))).toEqual(
        written.map((m, i) => ({ offset: BigInt(i), key: m.key, value: m.value })),
      );
    });
  }
});

describe('buildBatch({ compression }) → kcat', () => {
  for (const codec of CODECS) {
    it(`${codec}: kcat reads every record, header and payload exactly`, async () => {
      const topic = await newTopic(`cx-out-${codec}`);
      const first: RecordInput[] = lines(200).map((m, i) => ({
        key: Buffer.from(m.key),
        value: Buffer.from(m.value),
        headers: i % 10 === 0 ? [{ key: 'trace', value: Buffer.from(`t-${i}`) }] : [],
      }));
      const second: RecordInput[] = [{ key: Buffer.from('big'), value: Buffer.from(BIG_VALUE) }, { key: null, value: Buffer.from('after the big one') }];
      for (const records of [first, second]) {
        const produced = await client.request(API_KEYS.Produce, 7, produceBody(topic, 0, buildBatch(records, { compression: codec }), -1));
        expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      }
      expect(batchesOf(await fetchAll(topic)).map((b) => b.codec)).toEqual([codec, codec]);

      const read = await kcatConsume(address, topic, { partition: 0 });
      expect(read.map((m) => ({ offset: m.offset, key: m.key, payload: m.payload, headers: m.headers ?? [] }))).toEqual(
        [...first, ...second].map((r, i) => ({
          offset: i,
          key: r.key?.toString() ?? null,
          payload: r.value!.toString(),
          headers: (r.headers ?? []).flatMap((h) => [h.key, h.value!.toString()]),
        })),
      );
    });
  }
});

/**
 * Runs kcat -P and feeds it one line at a time, `gapMs` apart, so that messages get distinct
 * CreateTimes (lines that pile up while kcat starts share one); a linger longer than the
 * whole feed keeps them in one batch. Killed by PID after `timeoutMs`.
 */
async function kcatProduceSlowly(topic: string, codec: CompressionCodec, values: string[], gapMs: number, timeoutMs = 30_000): Promise<void> {
  const child = spawn(KCAT, [...kcatBase(address), '-P', '-t', topic, '-p', '0', '-z', codec, '-X', 'linger.ms=2000'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), timeoutMs);
  try {
    for (const value of values) {
      child.stdin.write(`${value}\n`);
      await sleep(gapMs);
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0) throw new Error(`kcat exited with ${code}: ${stderr}`);
  } finally {
    clearTimeout(timer);
  }
}

describe('ListOffsets by timestamp inside a compressed batch kcat wrote', () => {
  for (const codec of ['snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: kcat -Q finds the record itself, not the batch's first offset`, async () => {
      const topic = await newTopic(`cx-ts-${codec}`);
      await kcatProduceSlowly(
        topic,
        codec,
        Array.from({ length: 12 }, (_, i) => `{"reading":${i},"sensor":"s-1","unit":"celsius","note":"${'steady '.repeat(8)}"}`),
        40,
      );
      const bytes = await fetchAll(topic);
      // One compressed batch holds them all, so an answer above 0 came from inside it.
      expect(batchesOf(bytes)).toEqual([{ baseOffset: 0n, count: 12, codec }]);
      const stamps = recordsOf(bytes).map((r) => r.timestamp);

      const query = async (timestamp: number) => {
        const { stdout } = await runOk(KCAT, [...kcatBase(address), '-Q', '-J', '-t', `${topic}:0:${timestamp}`]);
        return (JSON.parse(stdout) as Record<string, Record<string, { offset: number }>>)[topic]!['0']!.offset;
      };
      let inside = 0;
      for (let i = 1; i < stamps.length; i++) {
        if (stamps[i]! <= stamps[i - 1]!) continue; // same millisecond: the earlier record is the answer
        expect({ timestamp: stamps[i], offset: await query(stamps[i]!) }).toEqual({ timestamp: stamps[i], offset: i });
        inside++;
      }
      expect(inside, `distinct timestamps among ${stamps.join(', ')}`).toBeGreaterThan(0);
      expect(await query(stamps[0]!)).toBe(0);
      expect(await query(stamps[stamps.length - 1]! + 1)).toBe(-1);
    });
  }
});
