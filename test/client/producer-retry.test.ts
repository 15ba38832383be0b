import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connection, Producer, stringSerializer, type ProducerOptions } from '../../src/client/index.js';
import { API_KEYS, decodeRequest, encodeResponse, type ProduceResponse, type RequestHeaderPrefix } from '../../src/protocol/index.js';
import type { DecodedRecord } from '../../src/record/index.js';
import { createTopics, fetchBody, recordsOf, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { startProducerProxy, type ProducerProxy, type RequestAction } from './producer-proxy.js';

/**
 * The producer's retries, through a proxy in front of a real broker (which advertises the
 * proxy's port, so every connection of the producer goes through it): answers the proxy makes
 * up (NOT_LEADER_OR_FOLLOWER), requests it swallows, and responses it loses.
 */

let proxy: ProducerProxy;
let broker: TestBroker;
let reader: Connection;
let topicNumber = 0;

beforeAll(async () => {
  proxy = await startProducerProxy();
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'advertised.port': String(proxy.port) });
  proxy.target = broker.broker.port;
  reader = await Connection.connect({ port: broker.broker.port, clientId: 'reader' });
});
afterEach(() => {
  proxy.onRequest = () => ({ kind: 'forward' });
});
afterAll(async () => {
  await reader.close();
  await proxy.stop();
  await broker.stop();
});

async function newTopic(partitions = 1): Promise<string> {
  const name = `retry-${++topicNumber}`;
  const raw = await broker.connect();
  await createTopics(raw, [{ name, partitions }]);
  return name;
}

async function readBack(topic: string, partition = 0): Promise<DecodedRecord[]> {
  const response = await reader.request(API_KEYS.Fetch, fetchBody(topic, partition, 0n));
  const data = response.responses[0]!.partitions[0]!;
  expect(data.errorCode).toBe(0);
  return recordsOf(data.records);
}

function producer(options: Partial<ProducerOptions<string, string>> = {}): Promise<Producer<string, string>> {
  return Producer.create({
    port: proxy.port,
    keySerializer: stringSerializer,
    valueSerializer: stringSerializer,
    retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
    ...options,
  });
}

/** A Produce response giving `errorCode` to every partition of the request. */
function produceError(header: RequestHeaderPrefix, frame: Buffer, errorCode: number): Buffer {
  const request = decodeRequest(frame);
  if (request.apiKey !== API_KEYS.Produce) throw new Error('not a Produce request');
  const body: ProduceResponse = {
    responses: request.body.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n })),
    })),
  };
  return encodeResponse(API_KEYS.Produce, header.apiVersion, header.correlationId, body);
}

const NOT_LEADER_OR_FOLLOWER = 6;

/** Applies `action` to the first `times` Produce requests, forwarding everything else. */
function onFirstProduces(times: number, action: (header: RequestHeaderPrefix, frame: Buffer) => RequestAction): { count: () => number } {
  let produces = 0;
  proxy.onRequest = (header, frame) => {
    if (header.apiKey !== API_KEYS.Produce) return { kind: 'forward' };
    produces++;
    return produces <= times ? action(header, frame) : { kind: 'forward' };
  };
  return { count: () => produces };
}

const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('Producer retries', () => {
  it('on NOT_LEADER_OR_FOLLOWER refreshes metadata, resends, and writes each record once', async () => {
    const topic = await newTopic();
    const p = await producer({ lingerMs: 5 });
    await p.send({ topic, messages: [{ value: 'warm' }] });
    const metadataBefore = proxy.seen.get(API_KEYS.Metadata) ?? 0;
    const produces = onFirstProduces(2, (header, frame) => ({ kind: 'reply', frame: produceError(header, frame, NOT_LEADER_OR_FOLLOWER) }));
    const sent = await p.send({ topic, messages: values(20).map((value) => ({ value })) });
    await p.close();
    expect(produces.count()).toBe(3);
    expect(proxy.seen.get(API_KEYS.Metadata)!).toBeGreaterThan(metadataBefore);
    expect(sent.map((m) => m.offset)).toEqual(values(20).map((_, i) => BigInt(i + 1)));
    expect((await readBack(topic)).map((r) => r.value!.toString())).toEqual(['warm', ...values(20)]);
  });

  it('resends only the partitions that failed', async () => {
    const topic = await newTopic(3);
    const p = await producer({ lingerMs: 20 });
    await p.send({ topic, messages: [0, 1, 2].map((partition) => ({ value: 'warm', partition })) });
    const partitionsSent: number[][] = [];
    proxy.onRequest = (header, frame) => {
      if (header.apiKey !== API_KEYS.Produce) return { kind: 'forward' };
      const request = decodeRequest(frame);
      if (request.apiKey !== API_KEYS.Produce) return { kind: 'forward' };
      const partitions = request.body.topicData.flatMap((t) => t.partitionData.map((d) => d.index)).sort();
      partitionsSent.push(partitions);
      if (partitions.length !== 3) return { kind: 'forward' };
      // Only partition 1 fails; 0 and 2 "succeed" without reaching the broker, so the log
      // shows exactly what was resent.
      const body: ProduceResponse = {
        responses: [{ name: topic, partitionResponses: partitions.map((index) => ({ index, errorCode: index === 1 ? NOT_LEADER_OR_FOLLOWER : 0, baseOffset: index === 1 ? -1n : 99n })) }],
      };
      return { kind: 'reply', frame: encodeResponse(API_KEYS.Produce, header.apiVersion, header.correlationId, body) };
    };
    const ranges = await p.sendBatch({ topic, messages: [0, 1, 2].map((partition) => ({ value: `p${partition}`, partition })) });
    await p.close();
    expect(partitionsSent).toEqual([[0, 1, 2], [1]]);
    expect([...ranges].sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0, baseOffset: 99n, count: 1 },
      { topic, partition: 1, baseOffset: 1n, count: 1 },
      { topic, partition: 2, baseOffset: 99n, count: 1 },
    ]);
    expect((await readBack(topic, 1)).map((r) => r.value!.toString())).toEqual(['warm', 'p1']);
    expect((await readBack(topic, 0)).map((r) => r.value!.toString())).toEqual(['warm']);
  });

  it('resends a request swallowed by a broken connection, on a new connection, writing each record once', async () => {
    const topic = await newTopic();
    const p = await producer({ lingerMs: 5 });
    await p.send({ topic, messages: [{ value: 'warm' }] });
    const produces = onFirstProduces(1, () => ({ kind: 'cut' }));
    const ranges = await p.sendBatch({ topic, messages: values(50).map((value) => ({ value })) });
    await p.close();
    expect(produces.count()).toBe(2);
    expect(ranges).toEqual([{ topic, partition: 0, baseOffset: 1n, count: 50 }]);
    expect((await readBack(topic)).map((r) => r.value!.toString())).toEqual(['warm', ...values(50)]);
  });

  it('writes a batch twice when the connection breaks after the broker wrote it (at-least-once)', async () => {
    const topic = await newTopic();
    const p = await producer({ lingerMs: 5 });
    onFirstProduces(1, () => ({ kind: 'cut-after-write' }));
    const sent = await p.send({ topic, messages: values(3).map((value) => ({ value })) });
    await p.close();
    // The lost answer is indistinguishable from a lost request: the batch is resent whole.
    expect(sent.map((m) => m.offset)).toEqual([3n, 4n, 5n]);
    expect((await readBack(topic)).map((r) => r.value!.toString())).toEqual([...values(3), ...values(3)]);
  });

  it('gives up after `retries` resends with the last error', async () => {
    const topic = await newTopic();
    const p = await producer({ retries: 2 });
    await p.send({ topic, messages: [{ value: 'warm' }] });
    const produces = onFirstProduces(100, (header, frame) => ({ kind: 'reply', frame: produceError(header, frame, NOT_LEADER_OR_FOLLOWER) }));
    await expect(p.sendBatch({ topic, messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER' });
    expect(produces.count()).toBe(3);
    expect(p.bufferedBytes).toBe(0);
    await p.close();
    expect((await readBack(topic)).map((r) => r.value!.toString())).toEqual(['warm']);
  });

  it('gives up at deliveryTimeoutMs when the error persists', async () => {
    const topic = await newTopic();
    const p = await producer({ deliveryTimeoutMs: 300 });
    await p.send({ topic, messages: [{ value: 'warm' }] });
    const produces = onFirstProduces(10_000, (header, frame) => ({ kind: 'reply', frame: produceError(header, frame, NOT_LEADER_OR_FOLLOWER) }));
    const error = await p.send({ topic, messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REQUEST_TIMED_OUT', message: expect.stringContaining('deliveryTimeoutMs') });
    expect((error as Error).cause).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER' });
    expect(produces.count()).toBeGreaterThan(1);
    await p.close();
  });

  it('does not resend non-retriable errors', async () => {
    const topic = await newTopic();
    const p = await producer();
    const produces = onFirstProduces(1, (header, frame) => ({ kind: 'reply', frame: produceError(header, frame, 87 /* INVALID_RECORD */) }));
    await expect(p.send({ topic, messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: 'INVALID_RECORD', retriable: false });
    expect(produces.count()).toBe(1);
    await p.close();
  });
});
