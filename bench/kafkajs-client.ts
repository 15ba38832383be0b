import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { FETCH_PARTITION_MAX_BYTES, READ_TIMEOUT_MS, type BenchClient, type BenchConsumer, type BenchProducer } from './bench-client.js';

/**
 * kafkajs 2.2.4 in the suite, used as its documentation recommends for throughput: large
 * `producer.send` calls carrying many messages (several in flight), no compression, acks as
 * the workload says; a group consumer with `eachBatch` from the beginning, in a fresh group
 * each time. Neither client commits offsets while reading (autoCommit off), so the read
 * figures compare fetching and decoding alone.
 */

let groups = 0;

function kafkaFor(port: number): Kafka {
  return new Kafka({ clientId: 'tidelog-bench', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
}

async function createProducer(port: number, topic: string, acks: 1 | -1): Promise<BenchProducer> {
  const producer = kafkaFor(port).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // Loads the topic's metadata before the clock starts, as our adapter does.
  await producer.send({ topic, acks, messages: [{ value: 'warm-up' }] });
  return {
    send: async (messages) => void (await producer.send({ topic, acks, compression: CompressionTypes.None, messages })),
    close: () => producer.disconnect(),
  };
}

async function createConsumer(port: number, topic: string): Promise<BenchConsumer> {
  const consumer = kafkaFor(port).consumer({
    groupId: `tidelog-bench-${process.pid}-${++groups}`,
    maxBytesPerPartition: FETCH_PARTITION_MAX_BYTES,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  return {
    readAll(count, progress) {
      return new Promise<number>((resolve, reject) => {
        let start: bigint | null = null;
        let seen = 0;
        let done = false;
        const finish = (error: Error | null) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          removeJoin();
          removeCrash();
          if (error) return reject(error);
          resolve(Number(process.hrtime.bigint() - (start ?? 0n)) / 1e9);
        };
        const timer = setTimeout(() => finish(new Error(`kafkajs read ${seen} of ${count} records in ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
        // The clock starts once the group is joined: joining is a fixed cost, not reading.
        const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => void (start ??= process.hrtime.bigint()));
        const removeCrash = consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              if (done) return;
              seen += batch.messages.length;
              progress(batch.messages.length);
              if (seen >= count) finish(null);
            },
          })
          .catch((error: Error) => finish(error));
      });
    },
    close: () => consumer.disconnect(),
  };
}

export const kafkajsClient: BenchClient = {
  name: 'kafkajs',
  producer: createProducer,
  consumer: createConsumer,
};
