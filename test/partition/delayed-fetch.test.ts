import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TopicManager } from '../../src/partition/index.js';
import { makeBatch, splitBatches } from '../helpers/log-fixtures.js';
import { trackTimers, useDataDir } from './fixtures.js';

const WAIT = 5_000;

describe('delayed fetch', () => {
  const data = useDataDir();

  async function setup(): Promise<TopicManager> {
    const topics = await data.open();
    await topics.createTopic({ name: 'f', numPartitions: 2 });
    return topics;
  }

  function request(fetchOffset = 0n, partitions = [0]) {
    return partitions.map((partition) => ({ topic: 'f', partition, fetchOffset, partitionMaxBytes: 1 << 20 }));
  }

  let timers: ReturnType<typeof trackTimers>;
  beforeEach(() => {
    timers = trackTimers('delayed-fetch.ts');
  });
  afterEach(() => timers.stop());

  async function expectNoLeaks(topics: TopicManager) {
    expect(topics.pendingFetches).toBe(0);
    expect(topics.appendListenerCount).toBe(0);
    expect(await timers.live()).toBe(0);
  }

  it('answers at once when minBytes are already there', async () => {
    const topics = await setup();
    await topics.partition('f', 0).append(makeBatch(0));
    const started = Date.now();
    const [result] = await topics.fetch({ partitions: request(), minBytes: 1, maxWaitMs: WAIT });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ error: 'NONE', highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n });
    expect(splitBatches(result!.records)).toHaveLength(1);
  });

  it('waits for appends to bring minBytes, summed over partitions, then answers', async () => {
    const topics = await setup();
    const one = makeBatch(1).length;
    const pending = topics.fetch({ partitions: request(0n, [0, 1]), minBytes: one * 2, maxWaitMs: WAIT });
    await sleep(20);
    expect(topics.pendingFetches).toBe(1);
    await topics.partition('f', 0).append(makeBatch(1));
    await sleep(20);
    expect(topics.pendingFetches).toBe(1); // half of minBytes
    expect([await timers.live(), topics.appendListenerCount]).toEqual([1, 2]);
    const started = Date.now();
    await topics.partition('f', 1).append(makeBatch(1));
    const results = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.map((r) => [r.partition, r.records.length, r.highWatermark])).toEqual([
      [0, one, 2n],
      [1, one, 2n],
    ]);
    await expectNoLeaks(topics);
  });

  it('only counts data past the fetch position', async () => {
    const topics = await setup();
    const partition = topics.partition('f', 0);
    await partition.append(makeBatch(0));
    const pending = topics.waitForData({ positions: [{ topic: 'f', partition: 0, fromOffset: 1n }], minBytes: 1, maxWaitMs: WAIT });
    await sleep(10);
    expect(topics.pendingFetches).toBe(1);
    await partition.append(makeBatch(3));
    expect(await pending).toBe('ready');
    // Data already past the position when the wait starts: ready at once, the caller re-reads.
    expect(await topics.waitForData({ positions: [{ topic: 'f', partition: 0, fromOffset: 1n }], minBytes: 1, maxWaitMs: WAIT })).toBe('ready');
    expect(await topics.waitForData({ positions: [{ topic: 'f', partition: 9, fromOffset: 0n }], minBytes: 1, maxWaitMs: WAIT })).toBe('ready');
    expect(topics.appendListenerCount).toBe(0);
  });

  it('answers empty after maxWaitMs', async () => {
    const topics = await setup();
    const started = Date.now();
    const [result] = await topics.fetch({ partitions: request(), minBytes: 1, maxWaitMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(result).toMatchObject({ error: 'NONE', highWatermark: 0n });
    expect(result!.records.length).toBe(0);
    await expectNoLeaks(topics);
  });

  it('returns what arrived below minBytes when the wait times out', async () => {
    const topics = await setup();
    const pending = topics.fetch({ partitions: request(), minBytes: 1 << 20, maxWaitMs: 100 });
    await sleep(10);
    await topics.partition('f', 0).append(makeBatch(2));
    const [result] = await pending;
    expect(splitBatches(result!.records)).toHaveLength(1);
  });

  it('stops waiting when the request is aborted or the broker stops', async () => {
    const topics = await setup();
    const controller = new AbortController();
    const pending = topics.fetch({ partitions: request(), minBytes: 1, maxWaitMs: WAIT, signal: controller.signal });
    await sleep(10);
    const started = Date.now();
    controller.abort();
    const [result] = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result!.records.length).toBe(0);
    await expectNoLeaks(topics);
    expect(await topics.waitForData({ positions: [{ topic: 'f', partition: 0, fromOffset: 0n }], minBytes: 1, maxWaitMs: WAIT, signal: controller.signal })).toBe(
      'aborted',
    );

    const waiting = topics.waitForData({ positions: [{ topic: 'f', partition: 1, fromOffset: 0n }], minBytes: 1, maxWaitMs: WAIT });
    await sleep(10);
    await topics.close();
    expect(await waiting).toBe('aborted');
    expect(topics.pendingFetches).toBe(0);
    expect(await timers.live()).toBe(0);
  });

  it('wakes waiters of a deleted topic', async () => {
    const topics = await setup();
    const pending = topics.fetch({ partitions: request(), minBytes: 1, maxWaitMs: WAIT });
    await sleep(10);
    await topics.deleteTopic('f');
    const [result] = await pending;
    expect(result).toMatchObject({ error: 'UNKNOWN_TOPIC_OR_PARTITION', highWatermark: -1n, logStartOffset: -1n });
    expect(topics.pendingFetches).toBe(0);
  });

  it('answers errors per partition without waiting', async () => {
    const topics = await setup();
    const started = Date.now();
    const results = await topics.fetch({
      partitions: [
        { topic: 'f', partition: 0, fetchOffset: 5n, partitionMaxBytes: 1000 },
        { topic: 'nope', partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 },
        { topic: 'f', partition: 1, fetchOffset: 0n, partitionMaxBytes: 1000 },
      ],
      minBytes: 1,
      maxWaitMs: WAIT,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.map((r) => r.error)).toEqual(['OFFSET_OUT_OF_RANGE', 'UNKNOWN_TOPIC_OR_PARTITION', 'NONE']);
    expect(results[0]!.highWatermark).toBe(-1n);
  });

  it('respects partitionMaxBytes and the response maxBytes, but returns one whole batch first', async () => {
    const topics = await setup();
    for (let seq = 0; seq < 4; seq++) {
      await topics.partition('f', 0).append(makeBatch(seq));
      await topics.partition('f', 1).append(makeBatch(seq));
    }
    const sizes = [0, 1, 2, 3].map((seq) => makeBatch(seq).length);
    // A limit below the first batch still returns that batch, and only it.
    const [small] = await topics.fetch({ partitions: [{ topic: 'f', partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 }], minBytes: 1 << 20, maxWaitMs: WAIT });
    expect(small!.records.length).toBe(sizes[0]);
    // Response limit: the first partition fills it; the second gets nothing rather than overflow it.
    const limited = await topics.fetch({ partitions: request(0n, [0, 1]), minBytes: 1, maxBytes: sizes[0]! + sizes[1]! + 1, maxWaitMs: WAIT });
    expect(limited.map((r) => r.records.length)).toEqual([sizes[0]! + sizes[1]!, 0]);
    expect(limited.map((r) => r.error)).toEqual(['NONE', 'NONE']);
  });
});
