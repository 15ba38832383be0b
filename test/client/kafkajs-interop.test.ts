import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonSerializer, partitionForKey, Producer, stringSerializer } from '../../src/client/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  await createTopics(await broker.connect(), [{ name: 'interop', partitions: 6 }]);
});
afterAll(async () => {
  await broker.stop();
});

describe('our producer and kafkajs', () => {
  it('place a key on the same partition, and kafkajs consumes what we produced', async () => {
    const kafka = new Kafka({ clientId: 'client-interop', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING });
    const keys = Array.from({ length: 30 }, (_, i) => `order-${i}`);

    const theirs = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await theirs.connect();
    await theirs.send({ topic: 'interop', messages: keys.map((key) => ({ key, value: 'from-kafkajs' })) });
    await theirs.disconnect();

    const ours = await Producer.create({ port: broker.broker.port, keySerializer: stringSerializer, valueSerializer: jsonSerializer<{ n: number }>() });
    const ourResults = await ours.send({ topic: 'interop', messages: keys.map((key, n) => ({ key, value: { n } })) });
    await ours.close();
    expect(ourResults.map((r) => r.partition)).toEqual(keys.map((key) => partitionForKey(Buffer.from(key), 6)));

    const consumer = kafka.consumer({ groupId: 'client-interop' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'interop', fromBeginning: true });
    const seen: { key: string; partition: number; value: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('kafkajs did not consume 60 messages in time')), 20_000);
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({ key: message.key!.toString(), partition, value: message.value!.toString() });
            if (seen.length === 2 * keys.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    for (const key of keys) {
      const placements = seen.filter((s) => s.key === key);
      expect(placements.map((s) => s.value)).toEqual(['from-kafkajs', JSON.stringify({ n: keys.indexOf(key) })]);
      expect(new Set(placements.map((s) => s.partition))).toEqual(new Set([partitionForKey(Buffer.from(key), 6)]));
    }
  });
});
