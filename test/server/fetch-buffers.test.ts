import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS } from '../../src/protocol/index.js';
import { buildBatch } from '../../src/record/index.js';
import { createTopics, fetchBody, produceBody, startTestBroker, type TestBroker } from './fixtures.js';

/**
 * Fetch responses carry their records straight from the buffers the log read them into, and
 * those buffers are reused once a response is written. A buffer reused before its write
 * completed would send another read's bytes: here responses pile up unwritten behind a
 * client that does not read, while later fetches keep reading into reused buffers.
 */
describe('fetch responses from reused buffers', () => {
  const BATCHES = 24;
  const ROUNDS = 4;
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.stop());

  it('arrive intact when their writes wait behind a client that does not read', async () => {
    const client = await broker.connect();
    await createTopics(client, [{ name: 'reused', partitions: 1 }]);
    // Batches of ~100 KB (large enough to be read into pooled buffers), each its own bytes.
    const stored: Buffer[] = [];
    for (let i = 0; i < BATCHES; i++) {
      const batch = buildBatch([{ key: Buffer.from(`k${i}`), value: Buffer.alloc(100_000, i + 1) }], { baseTimestamp: 1_700_000_000_000 });
      const produced = await client.request(API_KEYS.Produce, 7, produceBody('reused', 0, Buffer.from(batch)));
      expect(produced.responses[0]!.partitionResponses[0]!.baseOffset).toBe(BigInt(i));
      // As stored: the broker stamps BaseOffset and PartitionLeaderEpoch (0).
      const copy = Buffer.from(batch);
      copy.writeBigInt64BE(BigInt(i), 0);
      copy.writeInt32BE(0, 12);
      stored.push(copy);
    }

    client.pause();
    const asked: { batch: number; correlationId: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < BATCHES; i++) {
        // partitionMaxBytes 1: exactly the one batch at that offset.
        const correlationId = client.send(API_KEYS.Fetch, 11, fetchBody('reused', 0, BigInt(i), { partitionMaxBytes: 1 }));
        asked.push({ batch: i, correlationId });
      }
      // Round by round, so that each round's reads come after the last round's responses were
      // queued: ~2.4 MB a round, soon more than the socket buffers hold, so that most of them
      // wait in the broker while nothing is read here.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    client.resume();

    for (const { batch, correlationId } of asked) {
      const fetched = await client.response(API_KEYS.Fetch, 11, correlationId);
      const records = fetched.responses[0]!.partitions[0]!.records!;
      if (!records.equals(stored[batch]!)) throw new Error(`the response for batch ${batch} (correlation id ${correlationId}) carries other bytes`);
    }
  });
});
