import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesSerializer,
  Connection,
  jsonSerializer,
  msgpackSerializer,
  partitionForKey,
  Producer,
  stringSerializer,
  type ProducerOptions,
  TidelogError,
  type Serializer,
} from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { BATCH_LENGTH, codecFor, COMPRESSION_CODECS, compressionOf, LOG_OVERHEAD, readBatchHeader, type DecodedRecord } from '../../src/record/index.js';
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
    { name: 'bulk', partitions: 4 },
    { name: 'big-batches', partitions: 1 },
    { name: 'compressed', partitions: 1 },
    { name: 'timestamps', partitions: 1 },
    { name: 'many-sends', partitions: 3 },
    { name: 'reconnect', partitions: 1 },
    { name: 'varied', partitions: 2 },
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

/** Each batch of back-to-back batches. */
function batchesOf(bytes: Buffer | null): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; bytes && pos + LOG_OVERHEAD <= bytes.length; ) {
    const size = bytes.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    out.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

function batchCount(bytes: Buffer | null): number {
  return batchesOf(bytes).length;
}

async function producer<K, V>(
  keySerializer: Serializer<K>,
  valueSerializer: Serializer<V>,
  options: Omit<ProducerOptions<K, V>, 'keySerializer' | 'valueSerializer'> = {},
): Promise<Producer<K, V>> {
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

    // 300-byte values take 309 bytes each as records: two fit in 900 bytes with the 61-byte batch header, a third does not.
    const small = await producer(stringSerializer, bytesSerializer, { lingerMs: 20, batchSize: 900 });
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
    const p = await producer(stringSerializer, stringSerializer, { retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10 } });
    await expect(p.send({ topic: 'missing', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    await expect(p.sendBatch({ topic: 'missing', messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', partition: 9 }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', partition: -1 }] })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(p.bufferedBytes).toBe(0);
    await p.close();
    const error: unknown = await p.send({ topic: 'strings', messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidelogError);
    expect(error).toMatchObject({ code: 'NETWORK_EXCEPTION', message: expect.stringContaining('closed') });
    await expect(p.sendBatch({ topic: 'strings', messages: [] })).rejects.toMatchObject({ code: 'NETWORK_EXCEPTION' });
  });

  it('rejects input of the wrong type with a TypeError naming the message, and sends nothing of that call', async () => {
    const p = await producer(stringSerializer, stringSerializer);
    const before = (await readBack('strings')).length;
    const wrongValue = p.send({ topic: 'strings', messages: [{ value: 'fine' }, { value: 42 as unknown as string }] });
    await expect(wrongValue).rejects.toThrow(TypeError);
    await expect(wrongValue).rejects.toThrow(/value serializer rejected the value of message 1/);
    const bytes = await producer(stringSerializer, bytesSerializer);
    await expect(bytes.send({ topic: 'strings', messages: [{ value: 'not a buffer' as unknown as Buffer }] })).rejects.toThrow(/returned string "not a buffer" for message 0, not bytes/);
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', partition: 0.5 }] })).rejects.toThrow(TypeError);
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', timestamp: 'now' as unknown as number }] })).rejects.toThrow(TypeError);
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', timestamp: -5 }] })).rejects.toMatchObject({ code: 'INVALID_TIMESTAMP' });
    await expect(p.send({ topic: 'strings', messages: [{ value: 'x', headers: { h: 7 as unknown as string } }] })).rejects.toThrow(/header h of message 0/);
    await expect(p.send({ topic: 'strings', messages: 'x' as unknown as [] })).rejects.toThrow(TypeError);
    await expect(p.send({ topic: 42 as unknown as string, messages: [] })).rejects.toThrow(TypeError);
    await expect(p.send({ topic: 'strings', acks: 2 as unknown as 1, messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'INVALID_REQUIRED_ACKS' });
    await p.close();
    await bytes.close();
    expect((await readBack('strings')).length).toBe(before);
  });

  it('checks its options at create time with coded errors', async () => {
    const create = (options: Partial<ProducerOptions<string, string>>) => Producer.create({ port: broker.broker.port, keySerializer: stringSerializer, valueSerializer: stringSerializer, ...options });
    await expect(create({ acks: 2 as unknown as 1 })).rejects.toMatchObject({ code: 'INVALID_REQUIRED_ACKS' });
    await expect(create({ compression: 'brotli' as unknown as 'gzip' })).rejects.toMatchObject({ code: 'UNSUPPORTED_COMPRESSION_TYPE' });
    await expect(create({ batchSize: 0 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(create({ bufferMemory: -1 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(create({ lingerMs: 1.5 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(create({ valueSerializer: undefined as unknown as typeof stringSerializer })).rejects.toThrow(TypeError);
  });

  it('refuses a record larger than maxRequestSize or bufferMemory with MESSAGE_TOO_LARGE', async () => {
    const p = await producer(stringSerializer, bytesSerializer, { maxRequestSize: 10_000 });
    await expect(p.send({ topic: 'strings', messages: [{ value: Buffer.alloc(20_000) }] })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await p.close();
    const small = await producer(stringSerializer, bytesSerializer, { bufferMemory: 5_000 });
    await expect(small.send({ topic: 'strings', messages: [{ value: Buffer.alloc(6_000) }] })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await small.close();
  });

  it('sendBatch resolves with one range per partition, matching what the log holds', async () => {
    const p = await producer(stringSerializer, stringSerializer, { lingerMs: 5 });
    const first = await p.sendBatch({ topic: 'bulk', messages: Array.from({ length: 400 }, (_, i) => ({ value: `a${i}`, partition: i % 4 })) });
    const second = await p.sendBatch({ topic: 'bulk', messages: Array.from({ length: 40 }, (_, i) => ({ value: `b${i}`, partition: 1 })) });
    await p.close();
    expect([...first].sort((a, b) => a.partition - b.partition)).toEqual([0, 1, 2, 3].map((partition) => ({ topic: 'bulk', partition, baseOffset: 0n, count: 100 })));
    expect(second).toEqual([{ topic: 'bulk', partition: 1, baseOffset: 100n, count: 40 }]);
    const partition1 = await readBack('bulk', 1);
    expect(partition1.map((r) => r.value!.toString())).toEqual([...Array.from({ length: 100 }, (_, i) => `a${i * 4 + 1}`), ...Array.from({ length: 40 }, (_, i) => `b${i}`)]);
  });

  it('keeps per-key order across many concurrent sends of both kinds', async () => {
    const p = await producer(stringSerializer, stringSerializer, { batchSize: 512 });
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const sends: Promise<unknown>[] = [];
    for (let round = 0; round < 60; round++) {
      const messages = keys.map((key) => ({ key, value: `${key}:${round}` }));
      sends.push(round % 2 === 0 ? p.send({ topic: 'many-sends', messages }) : p.sendBatch({ topic: 'many-sends', messages }));
    }
    await Promise.all(sends);
    await p.close();
    const seen = new Map<string, string[]>();
    for (let partition = 0; partition < 3; partition++) {
      for (const record of await readBack('many-sends', partition)) {
        const key = record.key!.toString();
        expect(partitionForKey(record.key!, 3)).toBe(partition);
        seen.set(key, [...(seen.get(key) ?? []), record.value!.toString()]);
      }
    }
    for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: 60 }, (_, round) => `${key}:${round}`));
  });

  it('writes batches up to a batchSize of 1 MiB', async () => {
    const p = await producer(stringSerializer, bytesSerializer, { batchSize: 1 << 20, lingerMs: 20 });
    const value = Buffer.alloc(100, 7);
    const ranges = await p.sendBatch({ topic: 'big-batches', messages: Array.from({ length: 25_000 }, () => ({ value })) });
    await p.close();
    expect(ranges).toEqual([{ topic: 'big-batches', partition: 0, baseOffset: 0n, count: 25_000 }]);
    const batches = batchesOf(await fetchBytes('big-batches', 0));
    expect(batches.reduce((n, b) => n + readBatchHeader(b).recordsCount, 0)).toBe(25_000);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(1 << 20);
    expect(batches.length).toBe(3); // 25 000 records of 109 bytes: two full batches of ~9 600 and the rest
  });

  it('compresses with every registered codec and reads the records back', async () => {
    const available = COMPRESSION_CODECS.filter((name) => {
      try {
        codecFor(name);
        return true;
      } catch {
        return false;
      }
    });
    expect(available).toContain('gzip');
    let offset = 0n;
    for (const compression of available) {
      const p = await producer(stringSerializer, stringSerializer, { compression, lingerMs: 5 });
      const values = Array.from({ length: 50 }, (_, i) => `${compression} record ${i} `.repeat(4));
      const ranges = await p.sendBatch({ topic: 'compressed', messages: values.map((value, i) => ({ key: `k${i}`, value, headers: { codec: compression } })) });
      await p.close();
      expect(ranges).toEqual([{ topic: 'compressed', partition: 0, baseOffset: offset, count: 50 }]);
      offset += 50n;
      const batches = batchesOf(await fetchBytes('compressed', 0));
      const last = batches[batches.length - 1]!;
      expect(compressionOf(readBatchHeader(last).attributes)).toBe(compression);
      const records = recordsOf(last);
      expect(records.map((r) => r.value!.toString())).toEqual(values);
      expect(records.map((r) => r.headers[0]?.value?.toString())).toEqual(values.map(() => compression));
    }
  });

  it('encodes records of every shape exactly: null and empty keys and values, sizes across varint widths, headers, timestamps', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    const bytes = (length: number) => Buffer.from(Array.from({ length }, () => random(256)));
    const sizes = [0, 1, 63, 64, 65, 127, 128, 8191, 8192, 8193, 20_000];
    const randomMessages = (plain: boolean) =>
      Array.from({ length: 300 }, (_, i) => ({
        key: random(3) === 0 ? null : bytes(sizes[random(sizes.length)]! % 300),
        value: random(5) === 0 ? null : bytes(sizes[random(sizes.length)]!),
        partition: random(2),
        ...(!plain && random(4) === 0 ? { headers: [{ key: `h${i}`, value: random(2) === 0 ? null : bytes(random(100)) }, { key: '', value: '' }] } : {}),
        ...(!plain && random(4) === 0 ? { timestamp: 1_600_000_000_000 + random(1_000_000) } : {}),
      }));
    // Plain messages (no headers, no timestamps of their own) take the encoder's fast path.
    const messages = [...randomMessages(true), ...randomMessages(false)];
    const p = await producer(bytesSerializer, bytesSerializer, { batchSize: 64 * 1024, lingerMs: 5 });
    const sent = [...(await p.send({ topic: 'varied', messages: messages.slice(0, 300) })), ...(await p.send({ topic: 'varied', messages: messages.slice(300) }))];
    await p.close();
    for (const partition of [0, 1]) {
      const expected = messages.map((m, i) => ({ m, meta: sent[i]! })).filter(({ m }) => m.partition === partition);
      const records = await readBack('varied', partition);
      expect(records.length).toBe(expected.length);
      records.forEach((record, j) => {
        const { m, meta } = expected[j]!;
        expect(record.offset).toBe(meta.offset);
        expect(record.timestamp).toBe(meta.timestamp);
        if (m.timestamp !== undefined) expect(record.timestamp).toBe(m.timestamp);
        // As base64: deep equality of large Buffers is slow in vitest.
        expect(record.key?.toString('base64') ?? null).toBe(m.key?.toString('base64') ?? null);
        expect(record.value?.toString('base64') ?? null).toBe(m.value?.toString('base64') ?? null);
        expect(record.headers).toEqual((m.headers ?? []).map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })));
      });
    }
  });

  it('keeps the timestamps it is given, and gives the send time to the others', async () => {
    const p = await producer(stringSerializer, stringSerializer, { lingerMs: 5 });
    const before = Date.now();
    const sent = await p.send({ topic: 'timestamps', messages: [{ value: 'a', timestamp: 1_000 }, { value: 'b' }, { value: 'c', timestamp: 5_000_000_000_000 }] });
    await p.close();
    expect(sent.map((m) => m.timestamp)).toEqual([1_000, sent[1]!.timestamp, 5_000_000_000_000]);
    expect(sent[1]!.timestamp).toBeGreaterThanOrEqual(before);
    const records = await readBack('timestamps');
    expect(records.map((r) => r.timestamp)).toEqual(sent.map((m) => m.timestamp));
  });

  it('sends on a new connection when the leader connection broke while the batch lingered', async () => {
    const p = await producer(stringSerializer, stringSerializer, { lingerMs: 100 });
    await p.send({ topic: 'reconnect', messages: [{ value: 'warm' }] }); // metadata and connection ready
    const pending = p.send({ topic: 'reconnect', messages: [{ value: 'after' }] });
    (await p.cluster.leader('reconnect', 0)).destroy();
    await expect(pending).resolves.toMatchObject([{ offset: 1n }]);
    await p.close();
    expect((await readBack('reconnect')).map((r) => r.value!.toString())).toEqual(['warm', 'after']);
  });
});
