import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, Consumer, stringSerializer } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { pollRecords, produceBatch, textRecords } from './consumer-helpers.js';

/** The consumer against a broker process that goes away and comes back on the same port. */
let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await shutdownBroker(broker);
});

async function write(topic: string, count: number, prefix: string): Promise<void> {
  const connection = await Connection.connect({ port: broker.port });
  try {
    for (let i = 0; i < count; i += 10) await produceBatch(connection, topic, 0, textRecords(`${prefix}${i / 10}`, 10));
  } finally {
    await connection.close();
  }
}

describe('Consumer across a broker restart', () => {
  it('reconnects with backoff and reads on from where it was, nothing lost or repeated', async () => {
    const setup = await Connection.connect({ port: broker.port });
    await setup.request(API_KEYS.CreateTopics, { topics: [{ name: 'restart', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    await setup.close();
    await write('restart', 100, 'before');
    const c = await Consumer.create<Buffer, string>({
      port: broker.port,
      valueDeserializer: stringSerializer,
      autoOffsetReset: 'earliest',
      maxWaitMs: 100,
      retry: { retries: 3, initialBackoffMs: 50, maxBackoffMs: 300 },
    });
    try {
      await c.assign([{ topic: 'restart', partition: 0 }]);
      const first = await pollRecords(c, 100);
      expect(first).toHaveLength(100);
      await broker.restart();
      await write('restart', 100, 'after');
      const rest = await pollRecords(c, 100, 30_000);
      expect([...first, ...rest].map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)));
      expect(rest[0]!.value).toBe('after0-0');
    } finally {
      await c.close();
    }
  });
});
