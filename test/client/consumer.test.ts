import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesSerializer,
  Connection,
  Consumer,
  isTidelogError,
  jsonSerializer,
  msgpackSerializer,
  Producer,
  stringSerializer,
  TidelogError,
  type Serializer,
} from '../../src/client/index.js';
import { codecFor, COMPRESSION_CODECS, type CompressionCodec } from '../../src/record/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { iterateRecords, pollRecords, produceBatch, text, textRecords } from './consumer-helpers.js';

let broker: TestBroker;
let writer: Connection;
let port: number;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  port = broker.broker.port;
  const raw = await broker.connect();
  await createTopics(raw, [
    { name: 'plain', partitions: 1 },
    { name: 'serializers', partitions: 4 },
    { name: 'codecs', partitions: 1 },
    { name: 'keyed', partitions: 4 },
    { name: 'cut', partitions: 1 },
    { name: 'mid-batch', partitions: 1 },
    { name: 'iterate', partitions: 2 },
    { name: 'records', partitions: 1 },
    { name: 'break', partitions: 1 },
  ]);
  writer = await Connection.connect({ port, clientId: 'writer' });
});
afterAll(async () => {
  await writer?.close();
  await broker?.stop();
});

async function consumer<K = Buffer, V = Buffer>(options: Partial<Parameters<typeof Consumer.create<K, V>>[0]> = {}): Promise<Consumer<K, V>> {
  return Consumer.create<K, V>({ port, clientId: 'consumer-test', autoOffsetReset: 'earliest', maxWaitMs: 100, ...options });
}

describe('Consumer with assigned partitions', () => {
  it('reads back what was produced, in order, with offsets, timestamps, keys and headers', async () => {
    const time = 1_700_000_000_000;
    const records = textRecords('plain', 20, time).map((r, i) => (i === 3 ? { ...r, key: null, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'h', value: null }] } : r));
    records[5]!.value = null; // a tombstone
    await produceBatch(writer, 'plain', 0, records.slice(0, 10));
    await produceBatch(writer, 'plain', 0, records.slice(10));
    const c = await consumer();
    try {
      await c.assign([{ topic: 'plain', partition: 0 }]);
      const got = await pollRecords(c, 20);
      expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
      expect(got.map((r) => text(r.value))).toEqual(records.map((r) => text(r.value)));
      expect(got.map((r) => text(r.key))).toEqual(records.map((r) => text(r.key ?? null)));
      expect(got.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
      expect(got[3]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }, { key: 'h', value: null }]);
      expect(got.every((r) => r.topic === 'plain' && r.partition === 0)).toBe(true);
      expect(c.position({ topic: 'plain', partition: 0 })).toBe(20n);
    } finally {
      await c.close();
    }
    // read_committed: without transactions everything below the high watermark is committed.
    const committedReader = await consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'latest' });
    try {
      await committedReader.assign([{ topic: 'plain', partition: 0 }]);
      await committedReader.seek({ topic: 'plain', partition: 0 }, 'beginning');
      expect((await pollRecords(committedReader, 20)).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
      await committedReader.seek({ topic: 'plain', partition: 0 }, 'end');
      expect(committedReader.position({ topic: 'plain', partition: 0 })).toBe(20n);
    } finally {
      await committedReader.close();
    }
  });

  const serializers: [string, Serializer<unknown>, unknown[]][] = [
    ['string', stringSerializer as Serializer<unknown>, ['', 'héllo', 'x'.repeat(1000)]],
    ['json', jsonSerializer(), [{ a: 1, b: [true, null, 'z'] }, 42, 'text', null]],
    ['msgpack', msgpackSerializer(), [{ id: 7, tags: ['a', 'b'], nested: { n: 1.5 } }, [1, 2, 3], 'str']],
    ['bytes', bytesSerializer as Serializer<unknown>, [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), Buffer.alloc(300, 9)]],
  ];
  serializers.forEach(([name, serializer, samples], partition) => {
    it(`round-trips ${name} keys and values through the Producer`, async () => {
      const producer = await Producer.create({ port, keySerializer: serializer, valueSerializer: serializer });
      const c = await consumer({ keyDeserializer: serializer, valueDeserializer: serializer });
      try {
        await producer.send({ topic: 'serializers', messages: samples.map((value, i) => ({ key: samples[samples.length - 1 - i], value, partition })) });
        await c.assign([{ topic: 'serializers', partition }]);
        const got = await pollRecords(c, samples.length);
        // JSON's null value is the JSON text "null", not a tombstone: the serializer sees it.
        expect(got.map((r) => r.value)).toEqual(samples);
        expect(got.map((r) => r.key)).toEqual([...samples].reverse());
      } finally {
        await producer.close();
        await c.close();
      }
    });
  });

  it('round-trips every compression codec the record layer has registered', async () => {
    const registered = COMPRESSION_CODECS.filter((name) => {
      try {
        codecFor(name);
        return true;
      } catch {
        return false;
      }
    });
    expect(registered).toEqual(expect.arrayContaining<CompressionCodec>(['none', 'gzip']));
    const expected: string[] = [];
    for (const compression of registered) {
      const records = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`${compression}-k${i}`), value: Buffer.from(`${compression} value ${i} `.repeat(5)) }));
      await produceBatch(writer, 'codecs', 0, records, { compression });
      expected.push(...records.map((r) => r.value.toString()));
    }
    const c = await consumer({ valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'codecs', partition: 0 }]);
      const got = await pollRecords(c, expected.length);
      expect(got.map((r) => r.value)).toEqual(expected);
      expect(got.map((r) => r.offset)).toEqual(expected.map((_, i) => BigInt(i)));
    } finally {
      await c.close();
    }
  });

  it('keeps the order of records per key across partitions', async () => {
    const producer = await Producer.create({ port, keySerializer: stringSerializer, valueSerializer: stringSerializer });
    const keys = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    try {
      for (let round = 0; round < 25; round++) {
        await producer.send({ topic: 'keyed', messages: keys.map((key) => ({ key, value: `${key}#${round}` })) });
      }
    } finally {
      await producer.close();
    }
    const c = await consumer({ keyDeserializer: stringSerializer, valueDeserializer: stringSerializer });
    try {
      await c.assign([0, 1, 2, 3].map((partition) => ({ topic: 'keyed', partition })));
      const got = await iterateRecords(c, keys.length * 25);
      expect(got).toHaveLength(keys.length * 25);
      const partitionOf = new Map<string, number>();
      for (const key of keys) {
        const mine = got.filter((r) => r.key === key);
        expect(mine.map((r) => r.value)).toEqual(Array.from({ length: 25 }, (_, round) => `${key}#${round}`));
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        partitionOf.set(key, mine[0]!.partition);
      }
      expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);
    } finally {
      await c.close();
    }
  });

  it('reads every record when byte limits cut batches short', async () => {
    const batches = 6;
    for (let b = 0; b < batches; b++) await produceBatch(writer, 'cut', 0, textRecords(`b${b}`, 40).map((r) => ({ ...r, value: Buffer.alloc(200, b) })));
    // Room for about one and a half batches: every response ends in a partial batch.
    const c = await consumer({ maxPartitionBytes: 12_000, maxBytes: 12_000 });
    try {
      await c.assign([{ topic: 'cut', partition: 0 }]);
      const got = await pollRecords(c, batches * 40);
      expect(got.map((r) => r.offset)).toEqual(Array.from({ length: batches * 40 }, (_, i) => BigInt(i)));
      expect(got.map((r) => r.value![0])).toEqual(Array.from({ length: batches * 40 }, (_, i) => Math.floor(i / 40)));
    } finally {
      await c.close();
    }
  });

  it('starts at an offset in the middle of a compressed batch without the records before it', async () => {
    await produceBatch(writer, 'mid-batch', 0, textRecords('m', 30), { compression: 'gzip' });
    const c = await consumer({ valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'mid-batch', partition: 0 }]);
      await c.seek({ topic: 'mid-batch', partition: 0 }, 17n);
      const got = await pollRecords(c, 13);
      expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 13 }, (_, i) => BigInt(17 + i)));
      expect(got[0]!.value).toBe('m-17');
    } finally {
      await c.close();
    }
  });
});

describe('Consumer iteration', () => {
  it('yields batches with their partition, high watermark and last offset', async () => {
    await produceBatch(writer, 'iterate', 0, textRecords('p0', 5));
    await produceBatch(writer, 'iterate', 1, textRecords('p1', 7));
    const c = await consumer({ valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'iterate', partition: 0 }, { topic: 'iterate', partition: 1 }]);
      const seen = new Map<number, { count: number; highWatermark: bigint; lastOffset: bigint }>();
      const signal = AbortSignal.timeout(15_000);
      for await (const batch of c.batches({ signal })) {
        const entry = seen.get(batch.partition) ?? { count: 0, highWatermark: -1n, lastOffset: -1n };
        seen.set(batch.partition, { count: entry.count + batch.records.length, highWatermark: batch.highWatermark, lastOffset: batch.lastOffset });
        expect(batch.lastOffset).toBe(batch.records[batch.records.length - 1]!.offset);
        if ((seen.get(0)?.count ?? 0) + (seen.get(1)?.count ?? 0) >= 12) break;
      }
      expect(seen.get(0)).toEqual({ count: 5, highWatermark: 5n, lastOffset: 4n });
      expect(seen.get(1)).toEqual({ count: 7, highWatermark: 7n, lastOffset: 6n });
    } finally {
      await c.close();
    }
  });

  it('yields single records with records()', async () => {
    await produceBatch(writer, 'records', 0, textRecords('r', 4));
    await produceBatch(writer, 'records', 0, textRecords('s', 3));
    const c = await consumer({ valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'records', partition: 0 }]);
      const got: string[] = [];
      for await (const record of c.records({ signal: AbortSignal.timeout(15_000) })) {
        got.push(`${record.offset}:${record.value}`);
        if (got.length === 7) break;
      }
      expect(got).toEqual(['0:r-0', '1:r-1', '2:r-2', '3:r-3', '4:s-0', '5:s-1', '6:s-2']);
    } finally {
      await c.close();
    }
  });

  it('gives records taken but not handed out again after a break', async () => {
    await produceBatch(writer, 'break', 0, textRecords('x', 10));
    const c = await consumer({ valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'break', partition: 0 }]);
      const first: string[] = [];
      for await (const record of c.records({ signal: AbortSignal.timeout(15_000) })) {
        first.push(record.value!);
        if (first.length === 3) break;
      }
      expect(c.position({ topic: 'break', partition: 0 })).toBe(3n);
      const rest = await pollRecords(c, 7);
      expect([...first, ...rest.map((r) => r.value)]).toEqual(Array.from({ length: 10 }, (_, i) => `x-${i}`));
    } finally {
      await c.close();
    }
  });

  it('ends an iteration in progress with done when the consumer closes', async () => {
    const c = await consumer();
    await c.assign([{ topic: 'plain', partition: 0 }]);
    await c.seek({ topic: 'plain', partition: 0 }, 'end');
    const iterator = c.batches();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(c.close()).resolves.toBeUndefined();
  });
});

describe('Consumer errors', () => {
  it('rejects bad options with INVALID_CONFIG before connecting', async () => {
    await expect(Consumer.create({ port, autoOffsetReset: 'first' as never })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(Consumer.create({ port, maxWaitMs: -1 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(Consumer.create({ port, autoCommit: true })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('groupId') });
  });

  it('says what is wrong with a call', async () => {
    const c = await consumer({ allowAutoTopicCreation: false });
    try {
      await expect(c.poll()).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('subscribe to topics or assign partitions') });
      await expect(c.subscribe('plain')).rejects.toMatchObject({ code: 'INVALID_GROUP_ID' });
      await expect(c.assign([{ topic: 'no-such-topic', partition: 0 }])).rejects.toMatchObject({
        code: 'UNKNOWN_TOPIC_OR_PARTITION',
        message: expect.stringContaining('allowAutoTopicCreation is false'),
      });
      await expect(c.assign([{ topic: 'plain', partition: 3 }])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringContaining('no partition 3') });
      await expect(c.assign([{ topic: 'plain', partition: -1 }])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await c.assign([{ topic: 'plain', partition: 0 }]);
      const tp = { topic: 'plain', partition: 0 };
      await expect(c.seek(tp, 5 as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('5n') });
      await expect(c.seek(tp, -1n)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await expect(c.seek(tp, { timestamp: -5 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await expect(c.seek({ topic: 'codecs', partition: 0 }, 0n)).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('not assigned') });
      expect(() => c.pause([{ topic: 'codecs', partition: 0 }])).toThrow(TidelogError);
      await expect(c.commit()).rejects.toMatchObject({ code: 'INVALID_GROUP_ID' });
    } finally {
      await c.close();
    }
    await expect(c.poll()).rejects.toMatchObject({ code: 'NETWORK_EXCEPTION', message: expect.stringContaining('closed') });
    await expect(c.assign([{ topic: 'plain', partition: 0 }])).rejects.toSatisfy((e: unknown) => isTidelogError(e, 'NETWORK_EXCEPTION'));
  });

  it("throws OFFSET_OUT_OF_RANGE with autoOffsetReset 'none' until the application seeks", async () => {
    const c = await consumer({ autoOffsetReset: 'none', valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'records', partition: 0 }]);
      await expect(pollRecords(c, 1)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', message: expect.stringContaining('no committed offset') });
      await c.seek({ topic: 'records', partition: 0 }, 1000n);
      await expect(pollRecords(c, 1)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await expect(c.poll({ maxWaitMs: 0 })).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await c.seek({ topic: 'records', partition: 0 }, 2n);
      expect((await pollRecords(c, 1))[0]).toMatchObject({ offset: 2n, value: 'r-2' });
    } finally {
      await c.close();
    }
  });

  it('resets a position out of range by autoOffsetReset', async () => {
    const c = await consumer({ autoOffsetReset: 'earliest', valueDeserializer: stringSerializer });
    try {
      await c.assign([{ topic: 'records', partition: 0 }]);
      await c.seek({ topic: 'records', partition: 0 }, 1000n);
      expect((await pollRecords(c, 1))[0]).toMatchObject({ offset: 0n, value: 'r-0' });
    } finally {
      await c.close();
    }
  });

  it('stops a partition at a record its deserializer rejects, with INVALID_RECORD, until a seek past it', async () => {
    const picky: Serializer<string> = {
      serialize: (v) => Buffer.from(v),
      deserialize: (b) => {
        if (b.toString() === 'r-2') throw new Error('not today');
        return b.toString();
      },
    };
    const c = await consumer({ valueDeserializer: picky });
    try {
      await c.assign([{ topic: 'records', partition: 0 }]);
      const good: (string | null)[] = [];
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) {
        try {
          for (const batch of await c.poll({ maxWaitMs: 200 })) good.push(...batch.records.map((r) => r.value));
        } catch (e) {
          error = e;
        }
      }
      // The records before the bad one are handed out; the bad one stops the partition.
      expect(good).toEqual(['r-0', 'r-1']);
      expect(error).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining('offset 2') });
      expect(c.position({ topic: 'records', partition: 0 })).toBe(2n);
      await expect(c.poll({ maxWaitMs: 0 })).rejects.toMatchObject({ code: 'INVALID_RECORD' });
      await c.seek({ topic: 'records', partition: 0 }, 3n);
      expect((await pollRecords(c, 4)).map((r) => r.value)).toEqual(['r-3', 's-0', 's-1', 's-2']);
    } finally {
      await c.close();
    }
  });
});
