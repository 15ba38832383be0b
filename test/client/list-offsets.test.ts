import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Cluster, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, MAX_TIMESTAMP, TidelogError } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import type { RawClient } from '../server/raw-client.js';
import { produceAt, produceCount } from './admin-helpers.js';

const T0 = 1_700_000_000_000;

let broker: TestBroker;
let raw: RawClient;
let cluster: Cluster;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  raw = await broker.connect();
  await createTopics(raw, [
    { name: 'lo-times', partitions: 1 },
    { name: 'lo-three', partitions: 3 },
    { name: 'lo-empty', partitions: 1 },
    { name: 'lo-grow', partitions: 1 },
  ]);
  // Offsets 0-2 at T0, T0+10, T0+20; then 3-4 at T0+30, T0+40.
  await produceAt(raw, 'lo-times', 0, [T0, T0 + 10, T0 + 20]);
  await produceAt(raw, 'lo-times', 0, [T0 + 30, T0 + 40]);
  await produceCount(raw, 'lo-three', 0, 2);
  await produceCount(raw, 'lo-three', 1, 5);
  await produceCount(raw, 'lo-three', 2, 7);
  cluster = await Cluster.connect({ port: broker.broker.port, allowAutoTopicCreation: false, retry: { retries: 2, initialBackoffMs: 10, maxBackoffMs: 20 } });
});
afterAll(async () => {
  await cluster?.close();
  await broker?.stop();
});

describe('listOffsets', () => {
  it('maps -1n to the high watermark and -2n to the log start, for many partitions in one call', async () => {
    const result = await listOffsets(cluster, [
      ...[0, 1, 2].map((partition) => ({ topic: 'lo-three', partition, timestamp: LATEST_TIMESTAMP })),
      { topic: 'lo-times', partition: 0, timestamp: EARLIEST_TIMESTAMP },
    ]);
    expect(result).toEqual(
      new Map([
        ['lo-three:0', { offset: 2n, timestamp: -1n }],
        ['lo-three:1', { offset: 5n, timestamp: -1n }],
        ['lo-three:2', { offset: 7n, timestamp: -1n }],
        ['lo-times:0', { offset: 0n, timestamp: -1n }],
      ]),
    );
  });

  it('maps a timestamp to the first offset at or after it, and -1n when no record is that late', async () => {
    const ask = async (timestamp: bigint) => (await listOffsets(cluster, [{ topic: 'lo-times', partition: 0, timestamp }])).get('lo-times:0');
    expect(await ask(0n)).toEqual({ offset: 0n, timestamp: BigInt(T0) });
    expect(await ask(BigInt(T0))).toEqual({ offset: 0n, timestamp: BigInt(T0) });
    expect(await ask(BigInt(T0 + 11))).toEqual({ offset: 2n, timestamp: BigInt(T0 + 20) });
    expect(await ask(BigInt(T0 + 30))).toEqual({ offset: 3n, timestamp: BigInt(T0 + 30) });
    expect(await ask(BigInt(T0 + 41))).toEqual({ offset: -1n, timestamp: -1n });
    expect(await ask(MAX_TIMESTAMP)).toEqual({ offset: 4n, timestamp: BigInt(T0 + 40) });
  });

  it('answers an empty partition with offset 0 for both ends, and read_committed with the last stable offset', async () => {
    const result = await listOffsets(cluster, [
      { topic: 'lo-empty', partition: 0, timestamp: LATEST_TIMESTAMP },
      { topic: 'lo-three', partition: 2, timestamp: LATEST_TIMESTAMP },
    ], { isolationLevel: 1 });
    expect(result.get('lo-empty:0')).toEqual({ offset: 0n, timestamp: -1n });
    expect(result.get('lo-three:2')).toEqual({ offset: 7n, timestamp: -1n }); // no transactions: LSO = high watermark
    expect(await listOffsets(cluster, [])).toEqual(new Map());
  });

  it('refreshes stale metadata and retries when a partition is unknown to its cache', async () => {
    expect((await cluster.topic('lo-grow')).partitions).toHaveLength(1);
    const created = await raw.request(API_KEYS.CreatePartitions, 3, { topics: [{ name: 'lo-grow', count: 2, assignments: null }], timeoutMs: 10_000, validateOnly: false });
    expect(created.results[0]?.errorCode).toBe(0);
    await produceCount(raw, 'lo-grow', 1, 3);
    const result = await listOffsets(cluster, [{ topic: 'lo-grow', partition: 1, timestamp: LATEST_TIMESTAMP }]);
    expect(result.get('lo-grow:1')).toEqual({ offset: 3n, timestamp: -1n });
  });

  it('rejects an unknown topic with UNKNOWN_TOPIC_OR_PARTITION once retries run out', async () => {
    const error = await listOffsets(cluster, [{ topic: 'lo-missing', partition: 0, timestamp: LATEST_TIMESTAMP }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidelogError);
    expect(error).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    await expect(listOffsets(cluster, [{ topic: 'lo-three', partition: 3, timestamp: LATEST_TIMESTAMP }])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('rejects malformed requests before sending anything', async () => {
    const bad = [
      { topic: '', partition: 0, timestamp: -1n },
      { topic: 't', partition: -1, timestamp: -1n },
      { topic: 't', partition: 0.5, timestamp: -1n },
      { topic: 't', partition: 0, timestamp: -4n },
      { topic: 't', partition: 0, timestamp: 5 as unknown as bigint },
    ];
    for (const entry of bad) await expect(listOffsets(cluster, [entry])).rejects.toBeInstanceOf(TidelogError);
    await expect(listOffsets(cluster, [{ topic: 't', partition: 0, timestamp: -1n }, { topic: 't', partition: 0, timestamp: -2n }])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(listOffsets(cluster, [], { isolationLevel: 2 as 0 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('is also Admin.listOffsets', async () => {
    const admin = await Admin.create({ port: broker.broker.port });
    try {
      expect(await admin.listOffsets([{ topic: 'lo-times', partition: 0, timestamp: BigInt(T0 + 10) }])).toEqual(new Map([['lo-times:0', { offset: 1n, timestamp: BigInt(T0 + 10) }]]));
    } finally {
      await admin.close();
    }
  });

  it('agrees with kafkajs on offsets by timestamp and on the ends of each partition', async () => {
    const kafka = new Kafka({ clientId: 'list-offsets', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const theirs = await admin.fetchTopicOffsetsByTimestamp('lo-times', T0 + 25);
      const ours = await listOffsets(cluster, [{ topic: 'lo-times', partition: 0, timestamp: BigInt(T0 + 25) }]);
      expect(theirs).toEqual([{ partition: 0, offset: '3' }]);
      expect(ours.get('lo-times:0')?.offset).toBe(3n);

      const ends = await admin.fetchTopicOffsets('lo-three');
      const ourEnds = await listOffsets(cluster, [0, 1, 2].flatMap((partition) => [{ topic: 'lo-three', partition, timestamp: LATEST_TIMESTAMP }]));
      for (const end of ends) expect(ourEnds.get(`lo-three:${end.partition}`)?.offset).toBe(BigInt(end.high));
    } finally {
      await admin.disconnect();
    }
  });
});
