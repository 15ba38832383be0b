import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, Consumer, stringSerializer } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { pollRecords, produceBatch, textRecords } from './consumer-helpers.js';

let broker: TestBroker;
let writer: Connection;
let port: number;
const T0 = 1_700_000_000_000;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  port = broker.broker.port;
  await createTopics(await broker.connect(), [
    { name: 'timeline', partitions: 1 },
    { name: 'pausing', partitions: 2 },
    { name: 'latest', partitions: 1 },
    { name: 'empty', partitions: 1 },
    { name: 'vanish', partitions: 1 },
  ]);
  writer = await Connection.connect({ port, clientId: 'writer' });
  // 30 records, CreateTime T0 + 1000·i, in three batches (one of them compressed).
  const records = textRecords('t', 30).map((r, i) => ({ ...r, timestamp: T0 + 1000 * i }));
  await produceBatch(writer, 'timeline', 0, records.slice(0, 10));
  await produceBatch(writer, 'timeline', 0, records.slice(10, 20), { compression: 'gzip' });
  await produceBatch(writer, 'timeline', 0, records.slice(20));
});
afterAll(async () => {
  await writer?.close();
  await broker?.stop();
});

function consumer(options: Partial<Parameters<typeof Consumer.create<Buffer, string>>[0]> = {}): Promise<Consumer<Buffer, string>> {
  return Consumer.create<Buffer, string>({ port, valueDeserializer: stringSerializer, maxWaitMs: 100, ...options });
}

const timeline = { topic: 'timeline', partition: 0 };

describe('Consumer positions', () => {
  it('seeks to the beginning, the end, an offset and a timestamp', async () => {
    const c = await consumer({ autoOffsetReset: 'latest' });
    try {
      await c.assign([timeline]);
      await c.seek(timeline, 'beginning');
      expect(c.position(timeline)).toBe(0n);
      expect((await pollRecords(c, 30)).map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, i) => `t-${i}`));

      await c.seek(timeline, 12n);
      expect((await pollRecords(c, 1))[0]).toMatchObject({ offset: 12n, value: 't-12', timestamp: T0 + 12_000 });

      // The first record at or after the time: exact, between two records, before all of them.
      await c.seek(timeline, { timestamp: T0 + 15_000 });
      expect(c.position(timeline)).toBe(15n);
      expect((await pollRecords(c, 1))[0]).toMatchObject({ offset: 15n, timestamp: T0 + 15_000 });
      await c.seek(timeline, { timestamp: T0 + 22_500 });
      expect((await pollRecords(c, 1))[0]).toMatchObject({ offset: 23n, timestamp: T0 + 23_000 });
      await c.seek(timeline, { timestamp: 0 });
      expect(c.position(timeline)).toBe(0n);

      // Later than every record: the end, where the next record will land.
      await c.seek(timeline, { timestamp: T0 + 10_000_000 });
      expect(c.position(timeline)).toBe(30n);
      await c.seek(timeline, 'end');
      expect(c.position(timeline)).toBe(30n);
      expect(await c.poll({ maxWaitMs: 100 })).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it('discards what was prefetched for a partition when it seeks', async () => {
    const c = await consumer({ autoOffsetReset: 'earliest', maxPartitionBytes: 1 });
    try {
      await c.assign([timeline]);
      const first = await c.poll({ maxWaitMs: 5_000 });
      expect(first[0]!.records[0]!.offset).toBe(0n);
      // More batches are on their way or buffered by now; a seek must win over them.
      await c.seek(timeline, 25n);
      expect((await pollRecords(c, 5)).map((r) => r.offset)).toEqual([25n, 26n, 27n, 28n, 29n]);
    } finally {
      await c.close();
    }
  });

  it("starts at the end with autoOffsetReset 'latest' and reads only what comes after", async () => {
    await produceBatch(writer, 'latest', 0, textRecords('old', 5));
    const c = await consumer({ autoOffsetReset: 'latest' });
    try {
      await c.assign([{ topic: 'latest', partition: 0 }]);
      expect(await c.poll({ maxWaitMs: 200 })).toEqual([]);
      expect(c.position({ topic: 'latest', partition: 0 })).toBe(5n);
      await produceBatch(writer, 'latest', 0, textRecords('new', 2));
      expect((await pollRecords(c, 2)).map((r) => r.value)).toEqual(['new-0', 'new-1']);
    } finally {
      await c.close();
    }
  });

  it('holds back a paused partition, fetched data included, and goes on after resume', async () => {
    await produceBatch(writer, 'pausing', 0, textRecords('a', 5));
    await produceBatch(writer, 'pausing', 1, textRecords('b', 5));
    const c = await consumer({ autoOffsetReset: 'earliest' });
    const p0 = { topic: 'pausing', partition: 0 };
    const p1 = { topic: 'pausing', partition: 1 };
    try {
      await c.assign([p0, p1]);
      c.pause([p1]);
      expect(c.paused()).toEqual([p1]);
      const got = await pollRecords(c, 5);
      expect(got.map((r) => r.value)).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
      await produceBatch(writer, 'pausing', 1, textRecords('c', 1));
      expect(await c.poll({ maxWaitMs: 300 })).toEqual([]);
      expect(c.position(p1)).toBe(0n);

      // Paused after its data was (most likely) fetched: what is buffered waits too. The
      // buffer's own test (consumer-units) covers the held-back chunk deterministically.
      c.resume([p1]);
      expect(c.paused()).toEqual([]);
      await produceBatch(writer, 'pausing', 0, textRecords('d', 3));
      await new Promise((resolve) => setTimeout(resolve, 300));
      c.pause([p0]);
      const after = await pollRecords(c, 6, 5_000);
      expect(after.map((r) => r.value)).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4', 'c-0']);
      expect(c.position(p0)).toBe(5n);
      c.resume([p0]);
      expect((await pollRecords(c, 3)).map((r) => r.value)).toEqual(['d-0', 'd-1', 'd-2']);
    } finally {
      await c.close();
    }
  });
});

describe('Consumer when a topic goes away', () => {
  it('retries while the topic is unknown, then resets a position past the new log by autoOffsetReset', async () => {
    await produceBatch(writer, 'vanish', 0, textRecords('old', 5));
    const c = await consumer({ autoOffsetReset: 'earliest' });
    try {
      await c.assign([{ topic: 'vanish', partition: 0 }]);
      expect(await pollRecords(c, 5)).toHaveLength(5);
      const deleted = await writer.request(API_KEYS.DeleteTopics, { topicNames: ['vanish'], topics: [{ name: 'vanish', topicId: '0'.repeat(32) }], timeoutMs: 10_000 });
      expect(deleted.responses.map((r) => r.errorCode)).toEqual([0]);
      // UNKNOWN_TOPIC_OR_PARTITION is retried with backoff, never thrown.
      expect(await c.poll({ maxWaitMs: 500 })).toEqual([]);
      await createTopics(await broker.connect(), [{ name: 'vanish', partitions: 1 }]);
      await produceBatch(writer, 'vanish', 0, textRecords('new', 2));
      // Position 5 is past the new log's end (2): OFFSET_OUT_OF_RANGE, reset to the earliest.
      expect((await pollRecords(c, 2, 20_000)).map((r) => [r.offset, r.value])).toEqual([
        [0n, 'new-0'],
        [1n, 'new-1'],
      ]);
    } finally {
      await c.close();
    }
  });
});

describe('Consumer and AbortSignal', () => {
  it('rejects a pending poll on an empty topic promptly with the abort reason', async () => {
    const c = await consumer({ autoOffsetReset: 'earliest', maxWaitMs: 500 });
    try {
      await c.assign([{ topic: 'empty', partition: 0 }]);
      const controller = new AbortController();
      const started = Date.now();
      const pending = c.poll({ maxWaitMs: 60_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DOMException);
      expect((error as DOMException).name).toBe('AbortError');
      // Promptly: well inside the poll's own minute.
      expect(Date.now() - started).toBeLessThan(30_000);
      const reason = new Error('enough');
      await expect(c.poll({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      // The consumer goes on after an aborted poll.
      await produceBatch(writer, 'empty', 0, textRecords('e', 1));
      expect((await pollRecords(c, 1))[0]!.value).toBe('e-0');
    } finally {
      await c.close();
    }
  });

  it('ends an iteration with the abort reason', async () => {
    const c = await consumer({ autoOffsetReset: 'latest' });
    try {
      await c.assign([{ topic: 'empty', partition: 0 }]);
      const reason = new Error('stop iterating');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      const run = async () => {
        for await (const batch of c.batches({ signal: controller.signal })) void batch;
      };
      await expect(run()).rejects.toBe(reason);
    } finally {
      await c.close();
    }
  });
});
