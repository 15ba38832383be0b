import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../src/protocol/index.js';
import { batchOf, createTopics, fetchBody, produceBody, recordsOf, startTestBroker, type TestBroker } from './fixtures.js';

/** fetch.max.bytes bounds a response whatever the client asks, but never below one whole batch. */
describe('fetch.max.bytes', () => {
  const LIMIT = 2_000;
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ 'fetch.max.bytes': String(LIMIT) });
  });
  afterAll(() => broker.stop());

  it('caps a response at the broker limit even when the client asks for more', async () => {
    const client = await broker.connect();
    await createTopics(client, [{ name: 'capped', partitions: 1 }]);
    const batch = batchOf('r', 5, 60);
    for (let i = 0; i < 20; i++) {
      const produced = await client.request(API_KEYS.Produce, 7, produceBody('capped', 0, batchOf(`b${i}`, 5, 60)));
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    }
    const fetched = await client.request(API_KEYS.Fetch, 11, fetchBody('capped', 0, 0n, { maxBytes: 50 << 20, partitionMaxBytes: 50 << 20 }));
    const records = fetched.responses[0]!.partitions[0]!.records!;
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(LIMIT);
    expect(records.length).toBeLessThan(20 * batch.length);
    expect(recordsOf(records)[0]!.offset).toBe(0n);
  });

  it('still returns one whole batch larger than the limit', async () => {
    const client = await broker.connect();
    await createTopics(client, [{ name: 'big-batch', partitions: 1 }]);
    const big = batchOf('big', 4, LIMIT);
    const produced = await client.request(API_KEYS.Produce, 7, produceBody('big-batch', 0, big));
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const fetched = await client.request(API_KEYS.Fetch, 11, fetchBody('big-batch', 0, 0n, { maxBytes: 50 << 20, partitionMaxBytes: 50 << 20 }));
    expect(fetched.responses[0]!.partitions[0]!.records!.length).toBe(big.length);
  });
});
