import type { BenchMessage, BenchProducer } from './bench-client.js';

/**
 * The load each workload puts on a client, the same code for every client: bulk produce
 * (W1) as `window` concurrent sends of `chunk` messages each, and single sends each awaited
 * (W3), timed one by one.
 */

/** Sends `records` records in sends of `chunk.length` messages, keeping `window` sends outstanding; resolves once all are acknowledged. */
export async function produceAll(producer: BenchProducer, records: number, chunk: BenchMessage[], window: number, progress: (records: number) => void): Promise<void> {
  let remaining = records;
  const lane = async () => {
    while (remaining > 0) {
      const messages = remaining >= chunk.length ? chunk : chunk.slice(0, remaining);
      remaining -= messages.length;
      await producer.send(messages);
      progress(messages.length);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}

/** Sends `count` single-record sends, each after the previous one is acknowledged; returns each one's microseconds. */
export async function sendOneAtATime(producer: BenchProducer, count: number, message: BenchMessage, progress: (records: number) => void): Promise<Float64Array> {
  const samples = new Float64Array(count);
  const messages = [message];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await producer.send(messages);
    samples[i] = Number(process.hrtime.bigint() - start) / 1e3;
    if ((i + 1) % 1_000 === 0) progress(1_000);
  }
  progress(count % 1_000);
  return samples;
}
