import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesSerializer,
  Connection,
  jsonSerializer,
  msgpackSerializer,
  partitionForKey,
  Producer,
  stringSerializer,
  TidelogError,
  type Serializer,
} from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { BATCH_LENGTH, LOG_OVERHEAD, type DecodedRecord } from '../../src/record/index.js';
import { createTopics, fetchBody, recordsOf, startTestBroker, type TestBroker } from '../server/fixtures.js';

let broker: TestBroker;
let reader: Connection;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  const raw = await broker.connect();
  await createTopics(raw, [
    { name: 'strings', partitions: 1 },
    { name: 'json', partitions: 1 },
    { name: 'msgpack', partitions: 1 },
    { name: 'bytes', partitions: 1 },
    { name: 'keyed', partitions: 5 },
    { name: 'ordered', partitions: 3 },
    { name: 'acks', partitions: 1 },
    { name: 'linger', partitions: 1 },
    { name: 'small-batches', partitions: 1 },
    { name: 'mixed-acks', partitions: 1 },
  ]);
  reader = await Connection.connect({ port: broker.broker.port, clientId: 'reader' });
});
afterAll(async () => {
  await reader.close();
  await broker.stop();
});

/** The bytes of a partition from offset 0, through a Fetch on the client's own connection. */
async function fetchBytes(topic: string, partition: number): Promise<Buffer | null> {
  const response = await reader.request(API_KEYS.Fetch, fetchBody(topic, partition, 0n));
  const data = response.responses[0]!.partitions[0]!;
  expect(data.errorCode).toBe(0);
  return data.records;
}

async function readBack(topic: string, partition = 0): Promise<DecodedRecord[]> {
  return recordsOf(await fetchBytes(topic, partition));
}

function batchCount(bytes: Buffer | null): number {
  let count = 0;
  for (let pos = 0; bytes && pos + LOG_OVERHEAD <= bytes.length; count++) pos += bytes.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
  return count;
}

async function producer<K, V>(keySerializer: Serializer<K>, valueSerializer: Serializer<V>, options: { lingerMs?: number; batchSize?: number } = {}): Promise<Producer<K, V>> {
  return Producer.create({ port: broker.broker.port, keySerializer, valueSerializer, ...options });
}

describe('Producer', () => {
  it('produces with each serializer and reads the values back', async () => {
    const cases: { topic: string; serializer: Serializer<unknown>; values: unknown[] }[] = [
      { topic: 'strings', serializer: stringSerializer as Serializer<unknown>, values: ['a', 'ß', ''] },
      { topic: 'json', serializer: jsonSerializer(), values: [{ a: 1 }, [1, 'two'], 'text'] },
      { topic: 'msgpack', serializer: msgpackSerializer(), values: [{ id: 1, tags: ['x'] }, 42, 'text'] },
      { topic: 'bytes', serializer: bytesSerializer as Serializer<unknown>, values: [Buffer.from([0, 1, 255]), Buffer.alloc(0)] },
    ];
    for (const { topic, serializer, values } of cases) {
      const p = await producer(stringSerializer, serializer);
      const sent = await p.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value, headers: { h: `v${i}` } })) });
      await p.close();
      expect(sent.map((m) => m.offset)).toEqual(values.map((_, i) => BigInt(i)));
      const records = await readBack(topic);
      expect(records.map((r) => serializer.deserialize(r.value!))).toEqual(values);
      expect(records.map((r) => r.key?.toString())).toEqual(values.map((_, i) => `k${i}`));
      expect(records.map((r) => r.headers.map((h) => [h.key, h.value?.toString()]))).toEqual(values.map((_, i) => [['h', `v${i}`]]));
    }
  });

  it('puts each key on its murmur2 partition and keeps per-key order across sends', async () => {
    const p = await producer(stringSerializer, stringSerializer, { lingerMs: 5 });
    const keys = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const sends = [];
    for (let round = 0; round < 5; round++) {
      sends.push(p.send({ topic: 'keyed', messages: keys.map((key) => ({ key, value: `${key}:${round}` })) }));
    }
    const results = (await Promise.all(sends)).flat();
    await p.close();
    for (const r of results) expect(r.topic).toBe('keyed');
    for (let partition = 0; partition < 5; partition++) {
      const records = await readBack('keyed', partition);
      const byKey = new Map<string, string[]>();
      for (const r of records) {
        const key = r.key!.toString();
        expect(partitionForKey(Buffer.from(key), 5)).toBe(partition);
        byKey.set(key, [...(byKey.get(key) ?? []), r.value!.toString()]);
      }
      for (const [key, values] of byKey) expect(values).toEqual([0, 1, 2, 3, 4].map((round) => `${key}:${round}`));
    }
    const total = (await Promise.all([0, 1, 2, 3, 4].map((i) => readBack('keyed', i)))).reduce((n, rs) => n + rs.length, 0);
    expect(total).toBe(100);
  });

  it('keeps order per key across many small batches and honours explicit partitions', async () => {
    const p = await producer(stringSerializer, stringSerializer, { batchSize: 200 });
    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => p.send({ topic: 'ordered', messages: [{ key: 'same', value: String(i) }, { value: `p2-${i}`, partition: 2 }] })));
    await p.close();
    const partition = partitionForKey(Buffer.from('same'), 3);
    expect(sent.map((s) => s[0]!.partition)).toEqual(Array(50).fill(partition));
    expect(sent.map((s) => s[1]!.partition)).toEqual(Array(50).fill(2));
    const values = (await readBack('ordered', partition)).filter((r) => r.key?.toString() === 'same').map((r) => r.value!.toString());
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('supports acks 0, 1 and -1, and null values', async () => {
    const p = await producer(stringSerializer, stringSerializer);
    const one = await p.send({ topic: 'acks', acks: 1, messages: [{ key: 'a', value: '1' }] });
    const all = await p.send({ topic: 'acks', acks: -1, messages: [{ key: 'b', value: null }] });
    const none = await p.send({ topic: 'acks', acks: 0, messages: [{ key: 'c', value: '0' }] });
    await p.close();
    expect(one[0]!.offset).toBe(0n);
    expect(all[0]!.offset).toBe(1n);
    expect(none[0]!.offset).toBe(-1n);
    const records = await readBack('acks');
    expect(records.map((r) => [r.key?.toString(), r.value?.toString() ?? null])).toEqual([['a', '1'], ['b', null], ['c', '0']]);
  });

  it('keeps send order on a partition when sends mix acks levels', async () => {
    const p = await producer(stringSerializer, stringSerializer, { lingerMs: 20 });
    const acks = [1, -1, 1, 0, -1, 1] as const;
    await Promise.all(acks.map((level, i) => p.send({ topic: 'mixed-acks', acks: level, messages: [{ value: String(i) }] })));
    await p.close();
    expect((await readBack('mixed-acks')).map((r) => r.value!.toString())).toEqual(acks.map((_, i) => String(i)));
  });

  it('gathers concurrent sends within lingerMs into one batch, and splits at batchSize', async () => {
    const lingering = await producer(stringSerializer, stringSerializer, { lingerMs: 50 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => lingering.send({ topic: 'linger', messages: [{ value: `v${i}` }] })));
    await lingering.close();
    const lingered = await fetchBytes('linger', 0);
    expect(batchCount(lingered)).toBe(1);
    expect(recordsOf(lingered).map((r) => r.value!.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));

    // 300-byte values: two fit in 1 000 bytes with the batch header, a third does not.
    const small = await producer(stringSerializer, bytesSerializer, { lingerMs: 20, batchSize: 1_000 });
    await small.send({ topic: 'small-batches', messages: Array.from({ length: 10 }, () => ({ value: Buffer.alloc(300) })) });
    await small.close();
    expect(batchCount(await fetchBytes('small-batches', 0))).toBe(5);
  });

  it('creates a missing topic through Metadata when the broker allows it', async () => {
    const auto = await startTestBroker({ 'auto.create.topics.enable': 'true' });
    try {
      const p = await Producer.create({ port: auto.broker.port, keySerializer: stringSerializer, valueSerializer: stringSerializer });
      await expect(p.send({ topic: 'made-on-demand', messages: [{ value: 'x' }] })).resolves.toMatchObject([{ topic: 'made-on-demand', partition: 0, offset: 0n }]);
      await p.close();
    } finally {
      await auto.stop();
    }
  });

  it('rejects with a coded TidelogError for unknown topics, bad partitions and a closed producer', async () => {
    const p = await producer(stringSerializer, stringSerializer);
    await expect(p.send({ topic: 'missing', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', partition: 9 }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await p.close();
    const error: unknown = await p.send({ topic: 'strings', messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidelogError);
    expect(error).toMatchObject({ code: 'NETWORK_EXCEPTION' });
  });

  it('fails in-flight sends with NETWORK_EXCEPTION when the connection closes under them', async () => {
    const connection = await Connection.connect({ port: broker.broker.port });
    const p = await Producer.create({ connection, keySerializer: stringSerializer, valueSerializer: stringSerializer, lingerMs: 200 });
    await p.send({ topic: 'strings', messages: [{ value: 'warm' }] }); // metadata cached
    const pending = p.send({ topic: 'strings', messages: [{ value: 'lost' }] });
    connection.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'NETWORK_EXCEPTION', retriable: true });
  });
});
