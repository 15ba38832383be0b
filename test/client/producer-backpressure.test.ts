import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSerializer, Cluster, Connection, listOffsets, LATEST_TIMESTAMP, Producer, stringSerializer, topicPartitionKey, type ProducedRange } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { startBrokerProcess, shutdownBroker, type BrokerProcess } from '../helpers/broker-process.js';
import { fetchBody, recordsOf } from '../server/fixtures.js';

/**
 * Backpressure and broker restarts against a broker child process: SIGSTOP makes it stop
 * reading (its socket buffers fill, nothing is acknowledged), SIGCONT lets it go on.
 */

let broker: BrokerProcess;
let admin: Cluster;

beforeAll(async () => {
  broker = await startBrokerProcess();
  admin = await Cluster.connect({ port: broker.port });
}, 60_000);
afterAll(async () => {
  if (broker?.running) process.kill(broker.pid, 'SIGCONT');
  await admin?.close();
  await shutdownBroker(broker);
}, 60_000);

async function logEndOffset(topic: string): Promise<bigint> {
  const offsets = await listOffsets(admin, [{ topic, partition: 0, timestamp: LATEST_TIMESTAMP }]);
  return offsets.get(topicPartitionKey(topic, 0))!.offset;
}

/** Polls `condition` every few ms, for at most 20 s (a bound, not a timing assertion). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 4000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

describe('Producer backpressure', () => {
  it('holds at most bufferMemory while the broker stops reading, and delivers everything once it resumes', async () => {
    const bufferMemory = 1 << 20;
    const p = await Producer.create({ port: broker.port, keySerializer: stringSerializer, valueSerializer: bytesSerializer, acks: 1, bufferMemory, lingerMs: 1 });
    const topic = 'backpressure';
    await p.send({ topic, messages: [{ value: Buffer.from('warm') }] });
    let peak = 0;
    const sample = () => {
      peak = Math.max(peak, p.bufferedBytes);
    };
    const sampler = setInterval(sample, 1);
    process.kill(broker.pid, 'SIGSTOP');
    let settled = 0;
    const sends: Promise<ProducedRange[]>[] = [];
    try {
      // 20 MiB in 200 sends of 100 records of 1 KiB: twenty times the buffer.
      const value = Buffer.alloc(1024, 1);
      for (let i = 0; i < 200; i++) {
        const send = p.sendBatch({ topic, messages: Array.from({ length: 100 }, () => ({ value })) });
        void send.then(() => settled++, () => settled++);
        sends.push(send);
        sample();
      }
      // The buffer fills up to its bound; what was sent before the broker stopped can't be acknowledged.
      await until(() => p.bufferedBytes > bufferMemory - 110 * 1024, 'the buffer to fill');
      await new Promise((resolve) => setTimeout(resolve, 100));
      sample();
      expect(settled).toBe(0);
      expect(p.bufferedBytes).toBeLessThanOrEqual(bufferMemory);
    } finally {
      process.kill(broker.pid, 'SIGCONT');
    }
    const ranges = (await Promise.all(sends)).flat();
    clearInterval(sampler);
    sample();
    await p.close();
    expect(peak).toBeLessThanOrEqual(bufferMemory);
    expect(peak).toBeGreaterThan(bufferMemory / 2);
    expect(p.bufferedBytes).toBe(0);
    expect(ranges.reduce((n, r) => n + r.count, 0)).toBe(20_000);
    // Each send's records are contiguous and the sends follow each other in order.
    expect(ranges.map((r) => r.baseOffset)).toEqual(Array.from({ length: 200 }, (_, i) => 1n + BigInt(i) * 100n));
    expect(await logEndOffset(topic)).toBe(20_001n);
  }, 60_000);

  it('rejects a send that waits longer than maxBlockMs for buffer space with REQUEST_TIMED_OUT', async () => {
    const p = await Producer.create({ port: broker.port, keySerializer: stringSerializer, valueSerializer: bytesSerializer, bufferMemory: 64 * 1024, maxBlockMs: 200, lingerMs: 1 });
    const topic = 'max-block';
    await p.send({ topic, messages: [{ value: Buffer.from('warm') }] });
    process.kill(broker.pid, 'SIGSTOP');
    let first: Promise<unknown>;
    let error: unknown;
    try {
      first = p.sendBatch({ topic, messages: Array.from({ length: 50 }, () => ({ value: Buffer.alloc(1024) })) });
      error = await p.sendBatch({ topic, messages: Array.from({ length: 50 }, () => ({ value: Buffer.alloc(1024) })) }).catch((e: unknown) => e);
    } finally {
      process.kill(broker.pid, 'SIGCONT');
    }
    expect(error).toMatchObject({ code: 'REQUEST_TIMED_OUT', message: expect.stringMatching(/maxBlockMs.*bufferMemory.*\d+ of 50 messages of this send were accepted/s) });
    const accepted = Number(/(\d+) of 50 messages/.exec((error as Error).message)![1]);
    await expect(first!).resolves.toEqual([{ topic, partition: 0, baseOffset: 1n, count: 50 }]);
    await p.close(); // flushes what the rejected send had appended
    expect(await logEndOffset(topic)).toBe(51n + BigInt(accepted));
  }, 60_000);

  it('goes on after the broker restarts on the same port, losing nothing and keeping order', async () => {
    const topic = 'restart';
    const p = await Producer.create({ port: broker.port, keySerializer: stringSerializer, valueSerializer: stringSerializer, acks: -1, lingerMs: 2, retry: { initialBackoffMs: 20, maxBackoffMs: 200 } });
    await p.send({ topic, messages: [{ value: 'warm' }] });
    const sends: Promise<unknown>[] = [];
    const send = (i: number) => sends.push(p.sendBatch({ topic, messages: Array.from({ length: 10 }, (_, j) => ({ key: 'k', value: String(i * 10 + j) })) }));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
    let i = 0;
    for (; i < 40; i++, await pause()) send(i);
    const stopped = broker.stop();
    for (; i < 70; i++, await pause()) send(i);
    await stopped;
    for (; i < 80; i++) send(i); // while no broker runs at all
    await broker.restart();
    for (; i < 100; i++, await pause()) send(i);
    await Promise.all(sends);
    await p.close();
    expect(await logEndOffset(topic)).toBeGreaterThanOrEqual(1001n);
    // Every record arrived, in order. A batch resent after a lost answer may be there twice (at
    // least once, see Producer), so compare first occurrences.
    const connection = await Connection.connect({ port: broker.port });
    const response = await connection.request(API_KEYS.Fetch, fetchBody(topic, 0, 0n));
    await connection.close();
    const written = recordsOf(response.responses[0]!.partitions[0]!.records).map((r) => r.value!.toString());
    const firsts = written.filter((value, index) => written.indexOf(value) === index);
    expect(firsts).toEqual(['warm', ...Array.from({ length: 1000 }, (_, i) => String(i))]);
  }, 60_000);
});
