import { bytesSerializer, Consumer, Producer, type ProducerMessage } from '../src/client/index.js';
import { FETCH_PARTITION_MAX_BYTES, type BenchAcks, type BenchClient, type BenchConsumer, type BenchMessage, type BenchProducer } from './bench-client.js';

/**
 * Our client (src/client) in the suite, through its public API only.
 *
 * Producing: the bulk `Producer.sendBatch` (one promise per call, nothing per record) with
 * many messages per call, and batches up to BULK_BATCH_BYTES (the broker's max.message.bytes
 * is 1 MiB + 12). Single awaited sends use the same call with one message.
 *
 * Consuming: `Consumer` assigned partition 0 from the earliest offset (no group, nothing
 * committed), iterated batch by batch with `for await`; the default deserializers hand out
 * views of the fetched bytes, as kafkajs does.
 */

const BULK_BATCH_BYTES = 1 << 20;

type Messages = ProducerMessage<Buffer, Buffer>[];

/** THE producer call the suite times: `send` (one RecordMetadata per message) or the bulk `sendBatch`; switching is this line. */
const sendMessages = (producer: Producer<Buffer, Buffer>, topic: string, messages: Messages): Promise<unknown> => producer.sendBatch({ topic, messages });

async function createProducer(port: number, topic: string, acks: BenchAcks): Promise<BenchProducer> {
  const producer = await Producer.create<Buffer, Buffer>({
    port,
    clientId: 'tidelog-bench',
    keySerializer: bytesSerializer,
    valueSerializer: bytesSerializer,
    acks,
    lingerMs: 0,
    batchSize: BULK_BATCH_BYTES,
  });
  // Loads the topic's metadata before the clock starts, as kafkajs' adapter does.
  await sendMessages(producer, topic, [{ value: Buffer.from('warm-up') }]);
  return {
    send: async (messages: BenchMessage[]) => void (await sendMessages(producer, topic, messages)),
    close: () => producer.close(),
  };
}

/** The consumer the suite times: all of partition 0 from the beginning, batch by batch, as an application iterates it. */
async function createConsumer(port: number, topic: string): Promise<BenchConsumer> {
  const consumer = await Consumer.create({ port, clientId: 'tidelog-bench', autoOffsetReset: 'earliest', maxPartitionBytes: FETCH_PARTITION_MAX_BYTES });
  await consumer.assign([{ topic, partition: 0 }]);
  return {
    async readAll(count, progress) {
      const start = process.hrtime.bigint();
      let seen = 0;
      for await (const batch of consumer) {
        seen += batch.records.length;
        progress(batch.records.length);
        if (seen >= count) break;
      }
      if (seen < count) throw new Error(`the consumer ended after ${seen} of ${count} records`);
      return Number(process.hrtime.bigint() - start) / 1e9;
    },
    close: () => consumer.close(),
  };
}

export const tidelogClient: BenchClient = {
  name: 'tidelog',
  producer: createProducer,
  consumer: createConsumer,
};
