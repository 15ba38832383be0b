import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEYS,
  decodeResponse,
  encodeRequest,
  FrameSplitter,
  ZERO_UUID,
  type ApiKey,
  type RequestBodies,
  type ResponseBodies,
  type Decoded,
} from '../../src/protocol/index.js';
import { buildBatch } from '../../src/record/index.js';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { uniqueTopic } from './tools.js';

/**
 * The version-specific paths of the widened ranges that none of the installed clients
 * reaches (they each use their own maximum), checked on the wire with Tidelog's own codec
 * against a broker process: Produce v0-2 and legacy message sets, Metadata by topic id and
 * authorized operations, Fetch v12/v13 with unknown ids, DeleteTopics v6 by id, ListOffsets
 * v4+/v7/v8, CreateTopics v5+ and DescribeConfigs v3.
 */

let broker: BrokerProcess;
let wire: Wire;

class Wire {
  private readonly splitter = new FrameSplitter();
  private readonly waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void }[] = [];
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.splitter.push(chunk, (frame) => this.waiting.shift()?.resolve(frame)));
    socket.on('close', () => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the broker closed the connection'));
    });
  }

  static open(port: number): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Wire(socket)));
      socket.once('error', reject);
    });
  }

  /** One request and its response; requests go one at a time, so responses match in order. */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): Promise<Decoded<ResponseBodies[K]>> {
    const frame = new Promise<Buffer>((resolve, reject) => this.waiting.push({ resolve, reject }));
    const correlationId = this.write(apiKey, apiVersion, body);
    return frame.then((f) => {
      const response = decodeResponse(apiKey, apiVersion, f);
      expect(response.correlationId).toBe(correlationId);
      return response.body as Decoded<ResponseBodies[K]>;
    });
  }

  /** A request that gets no response (Produce with acks=0). */
  write<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): number {
    this.socket.write(encodeRequest({ apiKey, apiVersion, correlationId: ++this.correlationId, clientId: 'wire-versions' }, body));
    return this.correlationId;
  }

  close(): void {
    this.socket.destroy();
  }
}

beforeAll(async () => {
  broker = await startBrokerProcess();
  wire = await Wire.open(broker.port);
});
afterAll(async () => {
  wire?.close();
  await shutdownBroker(broker);
});

/** A legacy message set of `count` messages (magic 0 or 1); the broker must reject it before looking at CRCs. */
function legacyMessageSet(magic: 0 | 1, count: number): Buffer {
  const messages = Array.from({ length: count }, (_, i) => {
    const value = Buffer.from(`legacy-${i}`);
    const body = Buffer.alloc(4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + 4 + value.length);
    let pos = 4; // CRC left zero
    body.writeInt8(magic, pos++);
    body.writeInt8(0, pos++);
    if (magic === 1) pos = body.writeBigInt64BE(BigInt(Date.now()), pos);
    pos = body.writeInt32BE(-1, pos); // null key
    pos = body.writeInt32BE(value.length, pos);
    value.copy(body, pos);
    const entry = Buffer.alloc(12);
    entry.writeBigInt64BE(BigInt(i), 0);
    entry.writeInt32BE(body.length, 8);
    return Buffer.concat([entry, body]);
  });
  return Buffer.concat(messages);
}

const batch = (...values: string[]) => buildBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: 1_000 * (i + 1) })));

async function createTopic(name: string, partitions = 1, version = 7) {
  const response = await wire.send(API_KEYS.CreateTopics, version, { topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5_000 });
  expect(response.topics[0]!.errorCode).toBe(0);
  return response.topics[0]!;
}

async function produce(topic: string, partition: number, records: Buffer, version = 7) {
  const response = await wire.send(API_KEYS.Produce, version, { acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
  return response.responses[0]!.partitionResponses[0]!;
}

describe('Produce 0-7', () => {
  it.each([0, 1, 2])('v%i answers UNSUPPORTED_FOR_MESSAGE_FORMAT for every partition and stores nothing', async (version) => {
    const topic = uniqueTopic(`wire-produce-v${version}`);
    const response = await wire.send(API_KEYS.Produce, version, {
      acks: 1,
      timeoutMs: 5_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: legacyMessageSet(version === 2 ? 1 : 0, 3) }, { index: 1, records: legacyMessageSet(0, 1) }] }],
    });
    expect(response.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])).toEqual([
      [0, 43, -1n],
      [1, 43, -1n],
    ]);
    // Not even auto-created.
    const metadata = await wire.send(API_KEYS.Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    expect(metadata.topics[0]!.errorCode).toBe(3);
  });

  it('v0 with acks=0 sends no response: the next request is answered first', async () => {
    const topic = uniqueTopic('wire-produce-acks0');
    wire.write(API_KEYS.Produce, 0, { acks: 0, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: legacyMessageSet(0, 1) }] }] });
    // Were the produce answered, its frame would come first and fail the correlation id check.
    const metadata = await wire.send(API_KEYS.Metadata, 1, { topics: [] });
    expect(metadata.brokers).toHaveLength(1);
  });

  it('v3+ with a legacy message set of several messages: UNSUPPORTED_FOR_MESSAGE_FORMAT, not "more than one batch"', async () => {
    const topic = uniqueTopic('wire-produce-legacy');
    await createTopic(topic);
    for (const magic of [0, 1] as const) expect((await produce(topic, 0, legacyMessageSet(magic, 4))).errorCode).toBe(43);
    // Too short to hold a magic byte: CORRUPT_MESSAGE, as before.
    for (const size of [12, 16]) expect((await produce(topic, 0, batch('a').subarray(0, size))).errorCode).toBe(2);
    // Two real batches are still INVALID_RECORD, and one is appended.
    expect((await produce(topic, 0, Buffer.concat([batch('a'), batch('b')]))).errorCode).toBe(87);
    expect(await produce(topic, 0, batch('a', 'b'))).toMatchObject({ errorCode: 0, baseOffset: 0n });
  });
});

describe('Metadata 0-12', () => {
  it('v10+ carry the real topic id, v12 looks topics up by id, v7+ say leader epoch 0', async () => {
    const topic = uniqueTopic('wire-meta');
    const created = await createTopic(topic, 2);
    expect(created.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.topicId).not.toBe(ZERO_UUID);

    for (const version of [10, 11, 12]) {
      const byName = await wire.send(API_KEYS.Metadata, version, { topics: [{ name: topic }], allowAutoTopicCreation: false });
      expect(byName.topics[0], `v${version}`).toMatchObject({ errorCode: 0, name: topic, topicId: created.topicId });
      expect(byName.topics[0]!.partitions.map((p) => p.leaderEpoch)).toEqual([0, 0]);
    }
    // v9 has no topic id on the wire.
    expect((await wire.send(API_KEYS.Metadata, 9, { topics: [{ name: topic }] })).topics[0]!.topicId).toBe(ZERO_UUID);
    expect((await wire.send(API_KEYS.Metadata, 6, { topics: [{ name: topic }] })).topics[0]!.partitions[0]!.leaderEpoch).toBe(-1); // not on the wire

    const unknownId = '0123456789abcdef0123456789abcdef';
    const byId = await wire.send(API_KEYS.Metadata, 12, { topics: [{ topicId: created.topicId, name: null }, { topicId: unknownId, name: null }], allowAutoTopicCreation: true });
    expect(byId.topics.map((t) => [t.errorCode, t.name, t.topicId, t.partitions.length])).toEqual([
      [0, topic, created.topicId, 2],
      [100, null, unknownId, 0],
    ]);

    // v10-11 may not use ids or null names: Kafka fails the request, every topic INVALID_REQUEST.
    const misuse = await wire.send(API_KEYS.Metadata, 11, { topics: [{ topicId: created.topicId, name: null }, { name: topic }] });
    expect(misuse.topics.map((t) => [t.errorCode, t.name])).toEqual([
      [42, ''],
      [42, topic],
    ]);
    // An unknown name from v10 on: error 3, zero id.
    const missing = await wire.send(API_KEYS.Metadata, 12, { topics: [{ name: uniqueTopic('wire-none') }], allowAutoTopicCreation: false });
    expect(missing.topics.map((t) => [t.errorCode, t.topicId])).toEqual([[3, ZERO_UUID]]);
  });

  it('authorized operations (v8+): everything the resource supports when asked, else the "not requested" value', async () => {
    const topic = uniqueTopic('wire-ops');
    await createTopic(topic);
    const TOPIC_OPS = 0b1101_1111_1000; // READ..DESCRIBE (3-8), DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11
    const CLUSTER_OPS = 0b1_1111_1010_0000; // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12
    const asked = await wire.send(API_KEYS.Metadata, 8, { topics: [{ name: topic }], includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
    expect(asked.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_OPS);
    expect(asked.clusterAuthorizedOperations).toBe(CLUSTER_OPS);
    const notAsked = await wire.send(API_KEYS.Metadata, 10, { topics: [{ name: topic }] });
    expect(notAsked.topics[0]!.topicAuthorizedOperations).toBe(-2147483648);
    expect(notAsked.clusterAuthorizedOperations).toBe(-2147483648);
    // v11 dropped the cluster field; topic operations stay.
    const v11 = await wire.send(API_KEYS.Metadata, 11, { topics: [{ name: topic }], includeTopicAuthorizedOperations: true });
    expect(v11.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_OPS);
  });
});

describe('Fetch 4-13', () => {
  it('v13 names topics by id both ways; an unknown id gets UNKNOWN_TOPIC_ID per partition, at once', async () => {
    const topic = uniqueTopic('wire-fetch');
    const { topicId } = await createTopic(topic, 2);
    await produce(topic, 1, batch('x', 'y'));
    const unknownId = 'fedcba9876543210fedcba9876543210';
    const started = Date.now();
    const response = await wire.send(API_KEYS.Fetch, 13, {
      maxWaitMs: 10_000,
      minBytes: 1_000_000,
      topics: [
        { topicId: unknownId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }, { partition: 3, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
        { topicId, partitions: [{ partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }, { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
      ],
      isolationLevel: 1,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.sessionId).toBe(0);
    expect(response.responses.map((r) => [r.topicId, r.topic, r.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])])).toEqual([
      [unknownId, '', [[0, 100, -1n], [3, 100, -1n]]],
      [topicId, '', [[1, 0, 2n], [0, 0, 0n]]],
    ]);
    expect(response.responses[1]!.partitions[0]!.records!.length).toBeGreaterThan(0);
    expect(response.responses[1]!.partitions[0]!.abortedTransactions).toEqual([]);
  });

  it('v12 (flexible) still names topics by name', async () => {
    const topic = uniqueTopic('wire-fetch12');
    await createTopic(topic);
    await produce(topic, 0, batch('z'));
    const response = await wire.send(API_KEYS.Fetch, 12, { maxWaitMs: 100, minBytes: 1, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] });
    expect(response.responses.map((r) => [r.topic, r.topicId, r.partitions[0]!.errorCode, r.partitions[0]!.highWatermark])).toEqual([[topic, ZERO_UUID, 0, 1n]]);
  });
});

describe('ListOffsets 1-8', () => {
  it('v4+ answer leader epoch 0 (-1 when nothing is found); -3 max timestamp and -4 earliest local work', async () => {
    const topic = uniqueTopic('wire-offsets');
    await createTopic(topic);
    await produce(topic, 0, batch('a', 'b', 'c')); // timestamps 1000, 2000, 3000
    const list = (version: number, timestamp: bigint) =>
      wire.send(API_KEYS.ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }] }).then((r) => r.topics[0]!.partitions[0]!);
    expect(await list(8, -1n)).toMatchObject({ errorCode: 0, offset: 3n, leaderEpoch: 0 });
    expect(await list(8, -3n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: 3000n, leaderEpoch: 0 });
    expect(await list(8, -4n)).toMatchObject({ errorCode: 0, offset: 0n, leaderEpoch: 0 });
    expect(await list(6, 2_000n)).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 2000n, leaderEpoch: 0 });
    expect(await list(4, 9_000n)).toMatchObject({ errorCode: 0, offset: -1n, leaderEpoch: -1 });
    expect(await list(3, -1n)).toMatchObject({ errorCode: 0, offset: 3n, leaderEpoch: -1 }); // not on the wire
  });
});

describe('CreateTopics 0-7, DeleteTopics 0-6, DescribeConfigs 0-4', () => {
  it('CreateTopics v5+ return counts and configs with sources; v7 the id; errors carry -1 and no configs', async () => {
    const topic = uniqueTopic('wire-create');
    const response = await wire.send(API_KEYS.CreateTopics, 5, {
      topics: [
        { name: topic, numPartitions: 3, replicationFactor: -1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] },
        { name: topic.replace('wire', '__wire'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 5_000,
    });
    const [ok, bad] = response.topics;
    expect(ok).toMatchObject({ name: topic, errorCode: 0, numPartitions: 3, replicationFactor: 1, topicId: ZERO_UUID });
    expect(ok!.configs!.find((c) => c.name === 'retention.ms')).toEqual({ name: 'retention.ms', value: '60000', readOnly: false, configSource: 1, isSensitive: false });
    expect(ok!.configs!.find((c) => c.name === 'segment.bytes')).toMatchObject({ configSource: 5 });
    expect(bad).toMatchObject({ errorCode: 17, numPartitions: -1, replicationFactor: -1, configs: [] });

    const v7 = await createTopic(uniqueTopic('wire-create7'), 1, 7);
    const meta = await wire.send(API_KEYS.Metadata, 12, { topics: [{ name: v7.name }] });
    expect(meta.topics[0]!.topicId).toBe(v7.topicId);
    const validated = await wire.send(API_KEYS.CreateTopics, 7, { topics: [{ name: uniqueTopic('wire-validate'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5_000, validateOnly: true });
    expect(validated.topics[0]).toMatchObject({ errorCode: 0, topicId: ZERO_UUID, numPartitions: 1 });
  });

  it('DeleteTopics v6 deletes by id or by name; an unknown id is UNKNOWN_TOPIC_ID; both at once is INVALID_REQUEST', async () => {
    const [a, b, c] = [uniqueTopic('wire-del-a'), uniqueTopic('wire-del-b'), uniqueTopic('wire-del-c')];
    const ids = [];
    for (const name of [a, b, c]) ids.push((await createTopic(name)).topicId);
    const unknownId = '00000000000000000000000000000001';
    const response = await wire.send(API_KEYS.DeleteTopics, 6, {
      topics: [
        { name: null, topicId: ids[0]! },
        { name: b, topicId: ZERO_UUID },
        { name: null, topicId: unknownId },
        { name: c, topicId: ids[2]! },
      ],
      timeoutMs: 5_000,
    });
    expect(response.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
      [a, ids[0], 0],
      [b, ids[1], 0],
      [null, unknownId, 100],
      [c, ids[2], 42],
    ]);
    const left = await wire.send(API_KEYS.Metadata, 12, { topics: [{ name: a }, { name: b }, { name: c }], allowAutoTopicCreation: false });
    expect(left.topics.map((t) => t.errorCode)).toEqual([3, 3, 0]);
    // v3 (kafka-python's admin) is v1's layout.
    expect((await wire.send(API_KEYS.DeleteTopics, 3, { topicNames: [c], timeoutMs: 5_000 })).responses).toEqual([{ name: c, topicId: ZERO_UUID, errorCode: 0, errorMessage: null }]);
  });

  it('DescribeConfigs v3-4 add the type, and documentation only when asked', async () => {
    const topic = uniqueTopic('wire-configs');
    await createTopic(topic);
    const describe = (version: number, includeDocumentation: boolean) =>
      wire
        .send(API_KEYS.DescribeConfigs, version, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['segment.bytes', 'retention.ms', 'cleanup.policy'] }], includeSynonyms: false, includeDocumentation })
        .then((r) => r.results[0]!.configs.map(({ name, configType, documentation }) => ({ name, configType, documentation })));
    for (const version of [3, 4]) {
      expect(await describe(version, false)).toEqual([
        { name: 'segment.bytes', configType: 3, documentation: null },
        { name: 'retention.ms', configType: 5, documentation: null },
        { name: 'cleanup.policy', configType: 7, documentation: null },
      ]);
      for (const entry of await describe(version, true)) expect(entry.documentation).toEqual(expect.stringMatching(/\w/));
    }
    const broker = await wire.send(API_KEYS.DescribeConfigs, 4, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['auto.create.topics.enable', 'num.partitions'] }] });
    expect(broker.results[0]!.configs.map((c) => [c.name, c.configType])).toEqual([
      ['num.partitions', 3],
      ['auto.create.topics.enable', 1],
    ]);
  });
});
