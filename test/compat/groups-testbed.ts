import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { startGroupBroker, type GroupBroker } from './groups-tools.js';

/** A group-ready broker process with a kafkajs admin and producer on it, for one test file. */
export interface GroupTestBed {
  gb: GroupBroker;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
}

/**
 * Starts the test bed in beforeAll and stops it in afterAll. `clientId` is what the broker's
 * version log records for kafkajs's own requests.
 */
export function useGroupTestBed(clientId: string): GroupTestBed {
  const bed = {} as GroupTestBed;
  beforeAll(async () => {
    bed.gb = await startGroupBroker();
    bed.kafka = new Kafka({ clientId, brokers: [bed.gb.address], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
    bed.admin = bed.kafka.admin();
    await bed.admin.connect();
    bed.producer = bed.kafka.producer();
    await bed.producer.connect();
  });
  afterAll(async () => {
    await bed.producer?.disconnect().catch(() => undefined);
    await bed.admin?.disconnect().catch(() => undefined);
    await bed.gb?.shutdown();
  });
  return bed;
}

/** `perPartition` records to each of partitions 0-2, valued `p<partition>-<n>` from n = `from`. */
export async function produceToThreePartitions(producer: Producer, topic: string, perPartition: number, from: number): Promise<void> {
  await producer.send({ topic, messages: [0, 1, 2].flatMap((p) => Array.from({ length: perPartition }, (_, i) => ({ partition: p, value: `p${p}-${from + i}` }))) });
}

/** The group's committed offset per partition. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Record<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** `partition:offset=value` of every record from `from` to `to` (exclusive) in partitions 0-2, sorted. */
export const expectedRecords = (from: Record<number, number>, to: number) =>
  [0, 1, 2].flatMap((p) => Array.from({ length: to - from[p]! }, (_, i) => `${p}:${from[p]! + i}=p${p}-${from[p]! + i}`)).sort();
