import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_APIS, API_KEYS, decodeResponse, encodeRequest, type ApiKey, type RequestBodies } from '../../src/protocol/index.js';
import { CRC, MAGIC } from '../../src/record/index.js';
import { batchOf, createTopics, eventually, fetchBody, produceBody, recordsOf, startTestBroker, type TestBroker } from './fixtures.js';
import type { RawClient } from './raw-client.js';

/*
 * The broker's connection behaviour over real loopback sockets: version negotiation, what
 * closes a connection, pipelining and ordering, per-partition errors that leave the
 * connection usable, long polls, backpressure and graceful stop. Every wait is bounded;
 * nothing asserts how long anything took.
 */

const MAX_REQUEST_BYTES = 4 << 20;
/** The broker's per-connection limit on requests read but not answered (broker.ts, maxInFlight). */
const MAX_IN_FLIGHT = 128;

/**
 * What the broker advertises, pinned: a change to any handler's range must show up here.
 * (The group APIs and the wider ranges of the topic APIs come from the handlers as they
 * stand in the tree; the first cut served Produce 3-7, Fetch 4-11, ListOffsets 1-3,
 * Metadata 0-6, CreateTopics 0-4, DeleteTopics 0-1, DescribeConfigs 0-2, CreatePartitions 0-1.)
 */
const ADVERTISED = [
  { apiKey: API_KEYS.Produce, minVersion: 0, maxVersion: 7 },
  { apiKey: API_KEYS.Fetch, minVersion: 4, maxVersion: 13 },
  { apiKey: API_KEYS.ListOffsets, minVersion: 1, maxVersion: 8 },
  { apiKey: API_KEYS.Metadata, minVersion: 0, maxVersion: 12 },
  { apiKey: API_KEYS.OffsetCommit, minVersion: 2, maxVersion: 8 },
  { apiKey: API_KEYS.OffsetFetch, minVersion: 1, maxVersion: 8 },
  { apiKey: API_KEYS.FindCoordinator, minVersion: 0, maxVersion: 4 },
  { apiKey: API_KEYS.JoinGroup, minVersion: 0, maxVersion: 9 },
  { apiKey: API_KEYS.Heartbeat, minVersion: 0, maxVersion: 4 },
  { apiKey: API_KEYS.LeaveGroup, minVersion: 0, maxVersion: 5 },
  { apiKey: API_KEYS.SyncGroup, minVersion: 0, maxVersion: 5 },
  { apiKey: API_KEYS.DescribeGroups, minVersion: 0, maxVersion: 5 },
  { apiKey: API_KEYS.ListGroups, minVersion: 0, maxVersion: 5 },
  { apiKey: API_KEYS.ApiVersions, minVersion: 0, maxVersion: 3 },
  { apiKey: API_KEYS.CreateTopics, minVersion: 0, maxVersion: 7 },
  { apiKey: API_KEYS.DeleteTopics, minVersion: 0, maxVersion: 6 },
  { apiKey: API_KEYS.DescribeConfigs, minVersion: 0, maxVersion: 4 },
  { apiKey: API_KEYS.CreatePartitions, minVersion: 0, maxVersion: 3 },
  { apiKey: API_KEYS.DeleteGroups, minVersion: 0, maxVersion: 2 },
];

/** A small valid request of each API at either end of its served range, used to probe the versions just outside it. */
const MINIMAL: { [K in ApiKey]?: RequestBodies[K] } = {
  [API_KEYS.Produce]: { acks: 1, timeoutMs: 1000, topicData: [] },
  [API_KEYS.Fetch]: { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, isolationLevel: 0, topics: [] },
  [API_KEYS.ListOffsets]: { replicaId: -1, topics: [] },
  [API_KEYS.Metadata]: { topics: [{ name: 'pipe' }] },
  [API_KEYS.OffsetCommit]: { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [] },
  [API_KEYS.OffsetFetch]: { groupId: 'g', topics: [] },
  [API_KEYS.FindCoordinator]: { key: 'g' },
  [API_KEYS.JoinGroup]: { groupId: 'g', sessionTimeoutMs: 1, memberId: '', protocolType: 'consumer', protocols: [] },
  [API_KEYS.Heartbeat]: { groupId: 'g', generationId: 1, memberId: 'm' },
  [API_KEYS.LeaveGroup]: { groupId: 'g', memberId: 'm' },
  [API_KEYS.SyncGroup]: { groupId: 'g', generationId: 1, memberId: 'm', assignments: [] },
  [API_KEYS.DescribeGroups]: { groups: [] },
  [API_KEYS.ListGroups]: {},
  [API_KEYS.ApiVersions]: {},
  [API_KEYS.CreateTopics]: { topics: [], timeoutMs: 1000 },
  [API_KEYS.DeleteTopics]: { topicNames: [], timeoutMs: 1000 },
  [API_KEYS.DescribeConfigs]: { resources: [] },
  [API_KEYS.CreatePartitions]: { topics: [], timeoutMs: 1000, validateOnly: false },
  [API_KEYS.DeleteGroups]: { groupsNames: [] },
};

function minimalFrame(apiKey: ApiKey, version: number, correlationId: number): Buffer {
  // Versions that moved a field: LeaveGroup v3 (members), FindCoordinator v4 (coordinatorKeys), OffsetFetch v8 (groups).
  const body =
    apiKey === API_KEYS.LeaveGroup && version >= 3
      ? { groupId: 'g', members: [] }
      : apiKey === API_KEYS.FindCoordinator && version >= 4
        ? { coordinatorKeys: ['g'] }
        : apiKey === API_KEYS.OffsetFetch && version >= 8
          ? { groups: [{ groupId: 'g', topics: [] }] }
          : MINIMAL[apiKey];
  if (!body) throw new Error(`no minimal request for API ${apiKey}: add one to MINIMAL`);
  return encodeRequest({ apiKey, apiVersion: version, correlationId }, body as never);
}

let tb: TestBroker;
let admin: RawClient;

beforeAll(async () => {
  tb = await startTestBroker({ 'socket.request.max.bytes': String(MAX_REQUEST_BYTES) });
  admin = await tb.connect();
  await createTopics(admin, [
    { name: 'pipe', partitions: 2 },
    { name: 'acks0', partitions: 1 },
    { name: 'bad', partitions: 1 },
    { name: 'small', partitions: 1, configs: { 'max.message.bytes': '2000' } },
    { name: 'poll', partitions: 3 },
    { name: 'range', partitions: 1 },
    { name: 'bp', partitions: 3 },
  ]);
});

afterAll(async () => {
  await tb?.stop();
});

/** Sends a request whose header says (apiKey, apiVersion) over the body of a valid one, bypassing the encoder's version check. */
function frameAs(apiKey: number, apiVersion: number, correlationId: number, like: Buffer = encodeRequest({ apiKey: API_KEYS.ApiVersions, apiVersion: 0, correlationId }, {})): Buffer {
  const copy = Buffer.from(like);
  copy.writeInt16BE(apiKey, 4);
  copy.writeInt16BE(apiVersion, 6);
  copy.writeInt32BE(correlationId, 8);
  return copy;
}

async function expectUsable(client: RawClient): Promise<void> {
  const body = await client.request(API_KEYS.ApiVersions, 2, {});
  expect(body.errorCode).toBe(0);
  expect(client.closed).toBe(false);
}

describe('ApiVersions', () => {
  it.each([0, 1, 2, 3])('v%i answers with exactly the registry ranges', async (version) => {
    const client = await tb.connect();
    const body = await client.request(API_KEYS.ApiVersions, version, { clientSoftwareName: 'raw-client', clientSoftwareVersion: '1.0' });
    expect(body.errorCode).toBe(0);
    const ranges = body.apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
    expect(ranges).toEqual([...ADVERTISED].sort((a, b) => a.apiKey - b.apiKey));
    await expectUsable(client);
  });

  it.each([4, 99, -1])('v%i gets a v0 UNSUPPORTED_VERSION answer listing only ApiVersions 0-3, and the connection stays open', async (version) => {
    const client = await tb.connect();
    const correlationId = client.correlationId();
    client.writeRaw(frameAs(API_KEYS.ApiVersions, version, correlationId));
    const frame = await client.responseFrame(correlationId);
    // Response header v0, error_code, a one-entry array, nothing else (v0 has no throttle time).
    expect(frame.length).toBe(4 + 2 + 4 + 6);
    const decoded = decodeResponse(API_KEYS.ApiVersions, 0, frame);
    expect(decoded.correlationId).toBe(correlationId);
    expect(decoded.body.errorCode).toBe(35);
    expect(decoded.body.apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }))).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
    await expectUsable(client);
  });

  it('v4 encoded by the protocol layer (a real v4 body with tags) gets the same answer', async () => {
    const client = await tb.connect();
    const id = client.send(API_KEYS.ApiVersions, 4, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    const body = decodeResponse(API_KEYS.ApiVersions, 0, await client.responseFrame(id)).body;
    expect(body.errorCode).toBe(35);
    await expectUsable(client);
  });
});

describe('requests the broker does not serve close the connection', () => {
  /** Sends `before` (answered), then the bad frame, then a request that must not be read. */
  async function expectClosedAt(bad: (correlationId: number) => Buffer): Promise<void> {
    const client = await tb.connect();
    const before = client.send(API_KEYS.ApiVersions, 0, {});
    const badId = client.correlationId();
    client.writeRaw(bad(badId));
    const after = client.send(API_KEYS.ApiVersions, 0, {});
    expect(await client.waitForClose()).toBe(true);
    // What came before is answered; nothing is answered for the bad request or after it.
    expect(client.receivedIds()).toEqual([before]);
    expect(client.has(badId) || client.has(after)).toBe(false);
  }

  it.each([
    ['an unknown api key', 9999],
    ['a negative api key', -1],
  ])('%s', async (_, apiKey) => {
    await expectClosedAt((id) => frameAs(apiKey, 0, id));
  });

  it('an API in the protocol that the broker does not serve', async () => {
    const unserved = ALL_APIS.filter((api) => !ADVERTISED.some((r) => r.apiKey === api.apiKey));
    expect(unserved.length).toBeGreaterThan(0);
    for (const api of unserved) await expectClosedAt((id) => frameAs(api.apiKey, api.minVersion, id));
  });

  // Just outside each served range, with a body that is valid at the range's edge: it is
  // the version alone that closes the connection. (Produce v2 and Fetch v12, the first
  // cut's edges, are served now; Fetch v3 and Produce v8 are among these.)
  const outside = ADVERTISED.filter((r) => r.apiKey !== API_KEYS.ApiVersions).flatMap((r) => [
    ...(r.minVersion > 0 ? [[r.apiKey, r.minVersion, r.minVersion - 1] as const] : []),
    [r.apiKey, r.maxVersion, r.maxVersion + 1] as const,
  ]);
  it.each(outside)('API %i: v%i is answered, v%i closes the connection', async (apiKey, served, unsupported) => {
    const control = await tb.connect();
    const id = control.correlationId();
    control.writeRaw(minimalFrame(apiKey as ApiKey, served, id));
    await control.responseFrame(id);
    await expectClosedAt((badId) => {
      const frame = minimalFrame(apiKey as ApiKey, served, badId);
      frame.writeInt16BE(unsupported, 6);
      return frame;
    });
  });

  it('a malformed body of a served API closes the connection', async () => {
    const client = await tb.connect();
    const { bytes } = client.frame(API_KEYS.Metadata, 1, { topics: [{ name: 'pipe' }] });
    const truncated = bytes.subarray(0, bytes.length - 3);
    truncated.writeInt32BE(truncated.length - 4, 0);
    client.writeRaw(truncated);
    expect(await client.waitForClose()).toBe(true);
    expect(client.frames).toEqual([]);
  });

  it('a frame shorter than a request header closes the connection', async () => {
    const client = await tb.connect();
    client.writeRaw(Buffer.from([0, 0, 0, 3, 0, 18, 0]));
    expect(await client.waitForClose()).toBe(true);
  });

  it('an empty frame closes the connection', async () => {
    const client = await tb.connect();
    client.writeRaw(Buffer.alloc(4));
    expect(await client.waitForClose()).toBe(true);
  });
});

describe('framing', () => {
  it('reassembles requests written one byte at a time', async () => {
    const client = await tb.connect();
    const a = client.frame(API_KEYS.Metadata, 5, { topics: [{ name: 'pipe' }], allowAutoTopicCreation: false });
    const b = client.frame(API_KEYS.ApiVersions, 3, { clientSoftwareName: 'bytewise', clientSoftwareVersion: '1' });
    const bytes = Buffer.concat([a.bytes, b.bytes]);
    for (let i = 0; i < bytes.length; i++) {
      client.writeRaw(bytes.subarray(i, i + 1));
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const metadata = await client.response(API_KEYS.Metadata, 5, a.correlationId);
    expect(metadata.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([['pipe', 0, 2]]);
    expect((await client.response(API_KEYS.ApiVersions, 3, b.correlationId)).errorCode).toBe(0);
    expect(client.receivedIds()).toEqual([a.correlationId, b.correlationId]);
  });

  it('a size prefix above socket.request.max.bytes closes the connection before any of the body is sent', async () => {
    const client = await tb.connect();
    const answered = client.send(API_KEYS.ApiVersions, 0, {});
    const prefix = Buffer.alloc(12);
    prefix.writeInt32BE(MAX_REQUEST_BYTES + 1, 0);
    prefix.writeInt16BE(API_KEYS.Produce, 4);
    prefix.writeInt16BE(7, 6);
    prefix.writeInt32BE(client.correlationId(), 8);
    client.writeRaw(prefix);
    // Only the prefix and 8 bytes were sent: a broker that waited for the body would never close.
    expect(await client.waitForClose()).toBe(true);
    expect(client.receivedIds()).toEqual([answered]);
  });

  it('a request of exactly socket.request.max.bytes is read', async () => {
    const client = await tb.connect();
    const { correlationId, bytes } = client.frame(API_KEYS.ApiVersions, 0, {});
    // Trailing bytes after a message are ignored, so padding makes a valid request of any size.
    const padded = Buffer.alloc(4 + MAX_REQUEST_BYTES);
    bytes.copy(padded);
    padded.writeInt32BE(MAX_REQUEST_BYTES, 0);
    client.writeRaw(padded);
    expect((await client.response(API_KEYS.ApiVersions, 0, correlationId)).errorCode).toBe(0);
  });

  it('a negative size prefix closes the connection', async () => {
    const client = await tb.connect();
    client.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(await client.waitForClose()).toBe(true);
  });
});

describe('pipelining', () => {
  it('answers 50 produces mixed with metadata and fetches, written in one write, in request order', async () => {
    const client = await tb.connect();
    const sent: { correlationId: number; apiKey: ApiKey; version: number; seq: number }[] = [];
    const frames: Buffer[] = [];
    const add = <K extends ApiKey>(apiKey: K, version: number, body: RequestBodies[K], seq = -1) => {
      const f = client.frame(apiKey, version, body);
      sent.push({ correlationId: f.correlationId, apiKey, version, seq });
      frames.push(f.bytes);
    };
    for (let i = 0; i < 50; i++) {
      add(API_KEYS.Produce, 3 + (i % 5), produceBody('pipe', 0, batchOf(`p${i}`, 1 + (i % 3))), i);
      if (i % 10 === 3) add(API_KEYS.Metadata, i % 7, { topics: [{ name: 'pipe' }], ...(i % 7 >= 4 ? { allowAutoTopicCreation: false } : {}) });
      if (i % 10 === 7) add(API_KEYS.Fetch, 4 + (i % 8), fetchBody('pipe', 0, 0n));
    }
    client.writeRaw(Buffer.concat(frames));
    const last = sent[sent.length - 1]!;
    await client.responseFrame(last.correlationId);
    expect(client.receivedIds()).toEqual(sent.map((s) => s.correlationId));

    // Appends happen in request order: each produce lands right after the one before it.
    const expected = Array.from({ length: 50 }, (_, i) => Array.from({ length: 1 + (i % 3) }, (_, j) => `p${i}-${j}`)).flat();
    let next = 0n;
    let fetches = 0;
    for (const s of sent) {
      if (s.apiKey === API_KEYS.Produce) {
        const body = await client.response(API_KEYS.Produce, s.version, s.correlationId);
        const p = body.responses[0]!.partitionResponses[0]!;
        expect({ seq: s.seq, errorCode: p.errorCode, baseOffset: p.baseOffset }).toEqual({ seq: s.seq, errorCode: 0, baseOffset: next });
        next += BigInt(1 + (s.seq % 3));
      } else if (s.apiKey === API_KEYS.Fetch) {
        fetches++;
        const body = await client.response(API_KEYS.Fetch, s.version, s.correlationId);
        const p = body.responses[0]!.partitions[0]!;
        expect(p.errorCode).toBe(0);
        // Handled as soon as it is read, a fetch sees some prefix of the appends, in order.
        const values = recordsOf(p.records).map((r) => r.value!.toString());
        expect(values).toEqual(expected.slice(0, values.length));
      } else {
        const body = await client.response(API_KEYS.Metadata, s.version, s.correlationId);
        expect(body.topics.map((t) => [t.name, t.errorCode])).toEqual([['pipe', 0]]);
      }
    }
    expect(fetches).toBe(5);

    // The partition holds the 50 batches in request order.
    const fetched = await client.request(API_KEYS.Fetch, 11, fetchBody('pipe', 0, 0n));
    const values = recordsOf(fetched.responses[0]!.partitions[0]!.records).map((r) => r.value!.toString());
    expect(values).toEqual(expected);
  });

  it('pipelined produces to one partition get increasing offsets in request order', async () => {
    const client = await tb.connect();
    const ids: number[] = [];
    const frames: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const f = client.frame(API_KEYS.Produce, 7, produceBody('pipe', 1, batchOf(`q${i}`, 2)));
      ids.push(f.correlationId);
      frames.push(f.bytes);
    }
    client.writeRaw(Buffer.concat(frames));
    const offsets: bigint[] = [];
    for (const id of ids) {
      const p = (await client.response(API_KEYS.Produce, 7, id)).responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).toBe(0);
      offsets.push(p.baseOffset);
    }
    expect(client.receivedIds()).toEqual(ids);
    expect(offsets).toEqual(ids.map((_, i) => BigInt(2 * i)));
  });

  it('acks=0 produce gets no response, and its data lands before the next request is answered', async () => {
    const client = await tb.connect();
    const quiet = client.frame(API_KEYS.Produce, 7, produceBody('acks0', 0, batchOf('silent', 3), 0));
    const metadata = client.frame(API_KEYS.Metadata, 6, { topics: [{ name: 'acks0' }], allowAutoTopicCreation: false });
    client.writeRaw(Buffer.concat([quiet.bytes, metadata.bytes]));
    await client.responseFrame(metadata.correlationId);
    expect(client.receivedIds()).toEqual([metadata.correlationId]);
    // The silent produce held its place until appended, so the data is there by now.
    const fetch = client.send(API_KEYS.Fetch, 11, fetchBody('acks0', 0, 0n));
    const records = recordsOf((await client.response(API_KEYS.Fetch, 11, fetch)).responses[0]!.partitions[0]!.records);
    expect(records.map((r) => r.value!.toString())).toEqual(['silent-0', 'silent-1', 'silent-2']);
    expect(client.has(quiet.correlationId)).toBe(false);
  });

  it('an acks=0 produce that fails is still silent, and the connection stays usable', async () => {
    const client = await tb.connect();
    const bad = batchOf('x');
    bad[CRC]! ^= 0xff;
    const quiet = client.frame(API_KEYS.Produce, 5, produceBody('acks0', 0, bad, 0));
    client.writeRaw(quiet.bytes);
    await expectUsable(client);
    expect(client.has(quiet.correlationId)).toBe(false);
  });
});

describe('record batch validation answers per partition and keeps the connection', () => {
  async function produceError(records: Buffer, topic = 'bad', version = 7): Promise<number> {
    const client = await tb.connect();
    const body = await client.request(API_KEYS.Produce, version, produceBody(topic, 0, records));
    const p = body.responses[0]!.partitionResponses[0]!;
    expect(p.baseOffset).toBe(-1n);
    await expectUsable(client);
    return p.errorCode;
  }

  it('a bad CRC is CORRUPT_MESSAGE (2)', async () => {
    const batch = batchOf('crc');
    batch[batch.length - 1]! ^= 0x01;
    expect(await produceError(batch)).toBe(2);
  });

  it('magic 1 is UNSUPPORTED_FOR_MESSAGE_FORMAT (43), an unknown magic CORRUPT_MESSAGE or INVALID_RECORD', async () => {
    const v1 = batchOf('magic');
    v1[MAGIC] = 1;
    expect(await produceError(v1)).toBe(43);
    const v7 = batchOf('magic');
    v7[MAGIC] = 7;
    expect([2, 87]).toContain(await produceError(v7));
  });

  it('a batch above the topic max.message.bytes is MESSAGE_TOO_LARGE (10)', async () => {
    expect(await produceError(batchOf('big', 1, 3000), 'small')).toBe(10);
  });

  it.each([0, 11, 12, 13, 16, 17, 40, 60])('records of %i bytes (shorter than a batch header) are CORRUPT_MESSAGE (2)', async (length) => {
    expect(await produceError(batchOf('short').subarray(0, length))).toBe(2);
  });

  it('Produce v3 with two batches in one partition is INVALID_RECORD (87)', async () => {
    expect(await produceError(Buffer.concat([batchOf('one'), batchOf('two')]), 'bad', 3)).toBe(87);
  });

  it('only the bad partition fails; the others in the same request are appended', async () => {
    const client = await tb.connect();
    const bad = batchOf('mixed');
    bad[CRC]! ^= 0x10;
    const body = await client.request(API_KEYS.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: 'pipe', partitionData: [{ index: 0, records: batchOf('good') }, { index: 1, records: bad }, { index: 7, records: batchOf('nowhere') }] }],
    });
    expect(body.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode])).toEqual([[0, 0], [1, 2], [7, 3]]);
    await expectUsable(client);
  });

  it('nothing invalid was stored', async () => {
    const client = await tb.connect();
    const body = await client.request(API_KEYS.Fetch, 11, fetchBody('bad', 0, 0n));
    expect(body.responses[0]!.partitions[0]!.highWatermark).toBe(0n);
  });
});

describe('fetch', () => {
  it('a long poll on an empty partition is woken by a produce on another connection', async () => {
    const consumer = await tb.connect();
    const producer = await tb.connect();
    const pending = tb.broker.topics.pendingFetches;
    // A max wait far beyond the bounded wait below: only the produce can answer this in time.
    const id = consumer.send(API_KEYS.Fetch, 11, fetchBody('poll', 0, 0n, { maxWaitMs: 60_000, minBytes: 1 }));
    await eventually(() => tb.broker.topics.pendingFetches === pending + 1, 'the fetch to wait');
    const produced = await producer.request(API_KEYS.Produce, 7, produceBody('poll', 0, batchOf('wake', 2)));
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const body = await consumer.response(API_KEYS.Fetch, 11, id, 15_000);
    const p = body.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    expect(recordsOf(p.records).map((r) => r.value!.toString())).toEqual(['wake-0', 'wake-1']);
  });

  it('a long poll with max_wait_ms=2000 is answered by the produce it waits for', async () => {
    const consumer = await tb.connect();
    const producer = await tb.connect();
    const pending = tb.broker.topics.pendingFetches;
    const id = consumer.send(API_KEYS.Fetch, 8, fetchBody('poll', 2, 0n, { maxWaitMs: 2000, minBytes: 1 }));
    await eventually(() => tb.broker.topics.pendingFetches === pending + 1, 'the fetch to wait');
    await producer.request(API_KEYS.Produce, 5, produceBody('poll', 2, batchOf('soon')));
    const p = (await consumer.response(API_KEYS.Fetch, 8, id)).responses[0]!.partitions[0]!;
    expect(recordsOf(p.records).map((r) => r.value!.toString())).toEqual(['soon-0']);
  });

  it('a long poll with nothing produced answers empty after max_wait', async () => {
    const consumer = await tb.connect();
    const body = await consumer.request(API_KEYS.Fetch, 11, fetchBody('poll', 1, 0n, { maxWaitMs: 300, minBytes: 1 }));
    const p = body.responses[0]!.partitions[0]!;
    expect({ errorCode: p.errorCode, highWatermark: p.highWatermark, bytes: p.records?.length ?? 0 }).toEqual({ errorCode: 0, highWatermark: 0n, bytes: 0 });
    await expectUsable(consumer);
  });

  it('an offset beyond the end is OFFSET_OUT_OF_RANGE (1), answered at once', async () => {
    const client = await tb.connect();
    await client.request(API_KEYS.Produce, 7, produceBody('range', 0, batchOf('r', 3)));
    const body = await client.request(API_KEYS.Fetch, 11, fetchBody('range', 0, 4n, { maxWaitMs: 60_000 }));
    expect(body.responses[0]!.partitions[0]!.errorCode).toBe(1);
    // The end itself is in range: nothing to return, and no error.
    const atEnd = await client.request(API_KEYS.Fetch, 11, fetchBody('range', 0, 3n, { maxWaitMs: 0 }));
    expect(atEnd.responses[0]!.partitions[0]!.errorCode).toBe(0);
    await expectUsable(client);
  });

  it('a long poll is given up when its connection closes', async () => {
    const client = await tb.connect();
    const pending = tb.broker.topics.pendingFetches;
    client.send(API_KEYS.Fetch, 11, fetchBody('poll', 1, 0n, { maxWaitMs: 60_000 }));
    await eventually(() => tb.broker.topics.pendingFetches === pending + 1, 'the fetch to wait');
    client.destroy();
    await eventually(() => tb.broker.topics.pendingFetches === pending, 'the fetch to be abandoned');
  });
});

describe('backpressure', () => {
  it('stops reading a connection whose pipelined long polls reach the in-flight limit, and resumes in order', async () => {
    const client = await tb.connect();
    const other = await tb.connect();
    client.pause();
    const pending = tb.broker.topics.pendingFetches;
    // 600 small requests in one write: a splitter that handed every frame of a chunk to its
    // handler would start all of them at once.
    const ids: number[] = [];
    const frames: Buffer[] = [];
    for (let i = 0; i < 600; i++) {
      const f = client.frame(API_KEYS.Fetch, 11, fetchBody('bp', 0, 0n, { maxWaitMs: 60_000, minBytes: 1 }));
      ids.push(f.correlationId);
      frames.push(f.bytes);
    }
    client.writeRaw(Buffer.concat(frames));
    await eventually(() => tb.broker.topics.pendingFetches - pending >= MAX_IN_FLIGHT, 'the in-flight limit to fill');
    // Another connection is served meanwhile, and the flooding one has not gone past its limit.
    expect((await other.request(API_KEYS.Metadata, 6, { topics: [{ name: 'bp' }], allowAutoTopicCreation: false })).topics[0]!.errorCode).toBe(0);
    expect(tb.broker.topics.pendingFetches - pending).toBe(MAX_IN_FLIGHT);

    // Data wakes the waiting fetches; the rest are read as the first ones are answered.
    await other.request(API_KEYS.Produce, 7, produceBody('bp', 0, batchOf('bp', 1)));
    client.resume();
    await client.responseFrame(ids[ids.length - 1]!, 30_000);
    expect(client.receivedIds()).toEqual(ids);
    for (const frame of client.frames) {
      const p = decodeResponse(API_KEYS.Fetch, 11, frame).body.responses[0]!.partitions[0]!;
      expect(recordsOf(p.records).map((r) => r.value!.toString())).toEqual(['bp-0']);
    }
    expect(tb.broker.topics.pendingFetches).toBe(pending);
  });

  it('stops reading a client that never reads its fetch responses; other connections are still served', async () => {
    const other = await tb.connect();
    // Four batches of 256 KiB: each fetch below is answered with ~1 MiB.
    for (let i = 0; i < 4; i++) {
      const p = (await other.request(API_KEYS.Produce, 7, produceBody('bp', 1, batchOf(`big${i}`, 1, 256 * 1024)))).responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).toBe(0);
    }
    const client = await tb.connect();
    client.pause();
    const pending = tb.broker.topics.pendingFetches;
    // 250 fetches (~250 MiB of answers), then 50 long polls on an empty partition, in one
    // write. A broker that stops reading once 128 requests are in flight and 64 MiB of
    // answers are queued reads at most ~192 requests and never reaches the long polls while
    // this client does not read; one that kept reading would have them all waiting.
    const frames: Buffer[] = [];
    for (let i = 0; i < 250; i++) frames.push(client.frame(API_KEYS.Fetch, 11, fetchBody('bp', 1, 0n, { partitionMaxBytes: 4 << 20 })).bytes);
    for (let i = 0; i < 50; i++) frames.push(client.frame(API_KEYS.Fetch, 11, fetchBody('bp', 2, 0n, { maxWaitMs: 60_000 })).bytes);
    const rssBefore = process.memoryUsage().rss;
    client.writeRaw(Buffer.concat(frames));

    // While it does not read, the broker keeps serving others, round after round.
    for (let round = 0; round < 20; round++) {
      const body = await other.request(API_KEYS.Metadata, 6, { topics: [{ name: 'bp' }], allowAutoTopicCreation: false });
      expect(body.topics[0]!.errorCode).toBe(0);
      const fetched = await other.request(API_KEYS.Fetch, 11, fetchBody('bp', 0, 0n));
      expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(tb.broker.topics.pendingFetches).toBe(pending);
    // A leak check, not a measurement: what an unbounded broker would hold is far more.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(600 << 20);

    client.destroy();
    await expectUsable(other);
    await eventually(() => tb.broker.topics.pendingFetches === pending, 'the abandoned requests to go');
  });
});

describe('graceful stop', () => {
  it('answers a pending long poll and resolves', async () => {
    const own = await startTestBroker();
    try {
      const client = await own.connect();
      await createTopics(client, [{ name: 'wait', partitions: 1 }]);
      const id = client.send(API_KEYS.Fetch, 11, fetchBody('wait', 0, 0n, { maxWaitMs: 60_000 }));
      await eventually(() => own.broker.topics.pendingFetches === 1, 'the fetch to wait');
      await own.broker.stop();
      const p = (await client.response(API_KEYS.Fetch, 11, id)).responses[0]!.partitions[0]!;
      expect({ errorCode: p.errorCode, bytes: p.records?.length ?? 0 }).toEqual({ errorCode: 0, bytes: 0 });
      expect(await client.waitForClose()).toBe(true);
    } finally {
      await own.stop();
    }
  });

  it('delivers a large answer still queued for a slow reader before closing', async () => {
    const own = await startTestBroker();
    try {
      const client = await own.connect();
      await createTopics(client, [{ name: 'large', partitions: 1 }]);
      const batches = 24;
      for (let i = 0; i < batches; i++) {
        const p = (await client.request(API_KEYS.Produce, 7, produceBody('large', 0, batchOf(`l${i}`, 1, 1000 * 1000)))).responses[0]!.partitionResponses[0]!;
        expect(p.errorCode).toBe(0);
      }
      // ~24 MB answer, more than loopback socket buffers hold while the client does not read.
      client.pause();
      const id = client.send(API_KEYS.Fetch, 11, fetchBody('large', 0, 0n, { maxBytes: 64 << 20, partitionMaxBytes: 64 << 20 }));
      // The first bytes of the answer are here: the broker has written all of it to its socket.
      await eventually(() => client.socket.readableLength > 0, 'the answer to start');
      const stopped = own.broker.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.resume();
      await stopped;
      const p = (await client.response(API_KEYS.Fetch, 11, id)).responses[0]!.partitions[0]!;
      expect(recordsOf(p.records).length).toBe(batches);
      expect(await client.waitForClose()).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
