import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/index.js';
import { ALL_APIS, API_KEYS, decodeResponse, encodeRequest, ZERO_UUID, type ApiKey, type RequestBodies } from '../../src/protocol/index.js';
import { ATTRIBUTES, BATCH_LENGTH, buildBatch, CRC, crc32c, LAST_OFFSET_DELTA, MAGIC, PRODUCER_ID, RECORDS_COUNT } from '../../src/record/index.js';
import { batchOf, createTopics, eventually, fetchBody, produceBody, recordsOf, startTestBroker, type TestBroker } from './fixtures.js';
import { RawClient, WaitTimeout } from './raw-client.js';

/*
 * Protocol fuzzing against a live in-process broker. Valid requests of every served API and
 * version are built, then mutated (bit flips, byte overwrites, truncation, junk, wrong size
 * prefixes, huge counts and lengths, unknown keys and versions, broken batches) or replaced
 * by random bytes, and sent pipelined over several connections; a connection the broker
 * closes is reopened. Meanwhile a well-behaved client keeps producing, fetching and asking
 * for metadata on its own connection and must get exactly the expected answers. Every
 * answer the broker sends to the fuzzers must decode, in request order. At the end: no
 * uncaught exception or unhandled rejection, no unexpected server error logged, no waiting
 * fetch left behind, and memory within a generous bound (a leak check, not a measurement).
 *
 * Each batch on a connection is a few well-formed requests (valid, or carrying edge-case
 * values) followed by one or two broken frames and a sentinel ApiVersions request: the
 * well-formed ones reach the handlers, the first broken one is always parsed, and the
 * sentinel's answer (or the connection closing) says the broker is done with the batch.
 *
 * Reproduce a failure with TIDELOG_FUZZ_SEED=<seed printed by the run> (each worker's
 * frames follow from it; their interleaving does not); TIDELOG_FUZZ_FRAMES sets the number
 * of mutated and random frames (10,000 by default).
 */

const SEED = Number(process.env.TIDELOG_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
/** Mutated and random frames to send; valid and edge-case requests come on top. */
const BROKEN_FRAMES = Number(process.env.TIDELOG_FUZZ_FRAMES ?? 10_000);
const WORKERS = 6;
/** A guard against a broker that stops answering, not a performance threshold. */
const FUZZ_DEADLINE_MS = 90_000;
const GOOD_TOPIC = 'zz-good-topic';
const DATA_TOPIC = 'fz-data';

/** sfc32: small, fast, and the same stream for the same seed on every platform. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const r = (t + this.d) | 0;
    this.c = (this.c + r) | 0;
    return r >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/**
 * What the broker serves, as its ApiVersions answer says (read before fuzzing): every
 * served API and version gets fuzzed, and a served API without a request template below
 * fails the test rather than go unfuzzed.
 */
const SERVED: [ApiKey, number, number][] = [];
let SERVED_VERSIONS: [ApiKey, number][] = [];
/** Keys the broker does not serve: unknown to the protocol, or known but not advertised. */
let UNSERVED_KEYS: number[] = [];

function learnServed(ranges: readonly { apiKey: number; minVersion: number; maxVersion: number }[]): void {
  SERVED.splice(0, SERVED.length, ...ranges.map((r) => [r.apiKey as ApiKey, r.minVersion, r.maxVersion] as [ApiKey, number, number]));
  SERVED_VERSIONS = SERVED.flatMap(([key, min, max]) => Array.from({ length: max - min + 1 }, (_, i) => [key, min + i] as [ApiKey, number]));
  const served = new Set(SERVED.map(([key]) => key as number));
  UNSERVED_KEYS = [...ALL_APIS.map((api) => api.apiKey as number), 4, 5, 6, 7, 999, -1, 0x7fff].filter((key) => !served.has(key));
}

/** DATA_TOPIC's id, for the versions that name topics by id (learned from Metadata). */
let DATA_TOPIC_ID = ZERO_UUID;

function topicId(rng: Rng): string {
  return rng.pick([DATA_TOPIC_ID, DATA_TOPIC_ID, ZERO_UUID, rng.bytes(16).toString('hex')]);
}

/** Group ids: a few shared ones (for the APIs that only look groups up) and fresh ones for joins. */
function groupId(rng: Rng): string {
  return rng.pick(['fz-g-0', 'fz-g-1', 'fz-g-2', 'fz-g-3', 'fz-g-0', '', 'x'.repeat(300)]);
}

interface FuzzFrame {
  bytes: Buffer;
  /** The size prefix no longer matches the bytes: what follows on the connection is garbage. */
  desync: boolean;
  /** Where the last record batch lies in `bytes` (Produce only), for batch-level mutations. */
  batch?: { start: number; end: number };
}

/** A valid request of a served API and version, with bodies varied within what is valid. */
function validRequest(rng: Rng, correlationId: number): FuzzFrame {
  const [apiKey, version] = rng.pick(SERVED_VERSIONS);
  return requestFor(rng, apiKey, version, correlationId);
}

function requestFor(rng: Rng, apiKey: ApiKey, version: number, correlationId: number): FuzzFrame {
  const header = { apiKey, apiVersion: version, correlationId, clientId: rng.chance(0.2) ? null : `fuzz-${rng.int(100)}` };
  const encode = <K extends ApiKey>(key: K, body: RequestBodies[K]) => encodeRequest({ ...header, apiKey: key }, body);
  switch (apiKey) {
    case API_KEYS.ApiVersions:
      return { bytes: encode(API_KEYS.ApiVersions, version >= 3 ? { clientSoftwareName: 'fuzz', clientSoftwareVersion: `${rng.int(10)}.0` } : {}), desync: false };
    case API_KEYS.Metadata: {
      const byId = version >= 12 && rng.chance(0.3);
      const named = { name: rng.pick([DATA_TOPIC, `fz-auto-${rng.int(8)}`, 'fz-missing']) };
      const topics = version >= 1 && rng.chance(0.2) ? null : version === 0 && rng.chance(0.2) ? [] : [byId ? { name: null, topicId: topicId(rng) } : named];
      return { bytes: encode(API_KEYS.Metadata, { topics, ...(version >= 4 ? { allowAutoTopicCreation: rng.chance(0.5) } : {}) }), desync: false };
    }
    case API_KEYS.Produce: {
      const records = Array.from({ length: 1 + rng.int(4) }, (_, i) => ({
        key: rng.chance(0.3) ? null : Buffer.from(`k${i}`),
        value: rng.chance(0.1) ? null : rng.bytes(rng.int(64)),
        headers: rng.chance(0.2) ? [{ key: 'h', value: Buffer.from('v') }] : [],
      }));
      const batch = buildBatch(records, { baseTimestamp: 1_700_000_000_000 + rng.int(1000), compression: rng.chance(0.2) ? 'gzip' : 'none' });
      const partitions = rng.chance(0.2) ? [{ index: 1, records: batchOf('other') }, { index: 0, records: batch }] : [{ index: rng.int(2), records: batch }];
      const bytes = encode(API_KEYS.Produce, {
        ...(version >= 3 ? { transactionalId: null } : {}),
        acks: rng.pick([1, 1, -1, 0]),
        timeoutMs: 5000,
        topicData: [{ name: rng.pick([DATA_TOPIC, DATA_TOPIC, `fz-new-${rng.int(6)}`]), partitionData: partitions }],
      });
      // Records are the last field of a non-flexible Produce request.
      return { bytes, desync: false, batch: { start: bytes.length - batch.length, end: bytes.length } };
    }
    case API_KEYS.Fetch: {
      const body = fetchBody(DATA_TOPIC, rng.int(2), BigInt(rng.int(4)), { maxWaitMs: rng.int(20), minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 64 << 10 });
      return {
        bytes: encode(API_KEYS.Fetch, {
          replicaId: -1,
          maxWaitMs: body.maxWaitMs,
          minBytes: body.minBytes,
          maxBytes: body.maxBytes,
          isolationLevel: rng.int(2),
          ...(version >= 7 ? { sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [] } : {}),
          topics: body.topics.map((t) => ({
            ...(version >= 13 ? { topicId: topicId(rng) } : { topic: t.topic }),
            partitions: t.partitions.map((p) => ({
              partition: p.partition,
              fetchOffset: p.fetchOffset,
              partitionMaxBytes: p.partitionMaxBytes,
              ...(version >= 9 ? { currentLeaderEpoch: -1 } : {}),
              ...(version >= 5 ? { logStartOffset: -1n } : {}),
            })),
          })),
          ...(version >= 11 ? { rackId: rng.chance(0.5) ? '' : 'rack-a' } : {}),
        }),
        desync: false,
      };
    }
    case API_KEYS.ListOffsets:
      return {
        bytes: encode(API_KEYS.ListOffsets, {
          replicaId: -1,
          ...(version >= 2 ? { isolationLevel: rng.int(2) } : {}),
          topics: [{ name: DATA_TOPIC, partitions: [{ partitionIndex: rng.int(2), timestamp: rng.pick([-1n, -2n, 1_700_000_000_000n, 0n]) }] }],
        }),
        desync: false,
      };
    case API_KEYS.CreateTopics:
      return {
        bytes: encode(API_KEYS.CreateTopics, {
          // -1: the broker's num.partitions (1). Mutations of -1 give no plausible large count.
          topics: [{ name: `fz-ct-${rng.int(12)}`, numPartitions: -1, replicationFactor: -1, assignments: [], configs: rng.chance(0.3) ? [{ name: 'retention.ms', value: rng.pick(['60000', 'abc', '-5']) }] : [] }],
          timeoutMs: 5000,
          ...(version >= 1 ? { validateOnly: rng.chance(0.5) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.DeleteTopics:
      return {
        bytes: encode(API_KEYS.DeleteTopics, {
          ...(version >= 6 ? { topics: [rng.chance(0.7) ? { name: `fz-ct-${rng.int(12)}`, topicId: ZERO_UUID } : { name: null, topicId: topicId(rng) }] } : { topicNames: [`fz-ct-${rng.int(12)}`] }),
          timeoutMs: 5000,
        }),
        desync: false,
      };
    case API_KEYS.CreatePartitions:
      // A topic that does not exist: a mutated count can never grow a real topic by thousands of partitions.
      return { bytes: encode(API_KEYS.CreatePartitions, { topics: [{ name: 'fz-cp-missing', count: 2, assignments: null }], timeoutMs: 5000, validateOnly: rng.chance(0.5) }), desync: false };
    case API_KEYS.DescribeConfigs:
      return {
        bytes: encode(API_KEYS.DescribeConfigs, {
          resources: [
            { resourceType: 2, resourceName: DATA_TOPIC, configurationKeys: rng.chance(0.5) ? null : ['retention.ms', 'nope'] },
            { resourceType: rng.pick([4, 4, 1, 99]), resourceName: rng.pick(['0', '1']), configurationKeys: ['num.partitions'] },
          ],
          ...(version >= 1 ? { includeSynonyms: rng.chance(0.5) } : {}),
          ...(version >= 3 ? { includeDocumentation: rng.chance(0.5) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.FindCoordinator:
      return {
        bytes: encode(API_KEYS.FindCoordinator, {
          ...(version >= 4 ? { coordinatorKeys: Array.from({ length: rng.int(4) }, () => groupId(rng)) } : { key: groupId(rng) }),
          ...(version >= 1 ? { keyType: rng.pick([0, 0, 1, 2, -1]) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.JoinGroup:
      // A fresh group per join: a join into a group with other (silent) members would wait
      // for them to rejoin, up to the session timeout, holding the connection up.
      return {
        bytes: encode(API_KEYS.JoinGroup, {
          groupId: rng.chance(0.9) ? `fz-j-${rng.u32()}` : groupId(rng),
          sessionTimeoutMs: rng.pick([6000, 6000, 10_000, 0, -1, 1_800_001]),
          ...(version >= 1 ? { rebalanceTimeoutMs: rng.pick([100, 1000, -1]) } : {}),
          memberId: rng.pick(['', '', 'unknown-member']),
          ...(version >= 5 ? { groupInstanceId: rng.pick([null, null, 'static-1']) } : {}),
          protocolType: rng.pick(['consumer', 'consumer', '', 'connect']),
          protocols: rng.pick([[{ name: 'range', metadata: rng.bytes(rng.int(40)) }], [{ name: 'range', metadata: Buffer.alloc(0) }, { name: 'roundrobin', metadata: Buffer.alloc(0) }], []]),
          ...(version >= 8 ? { reason: rng.pick([null, '', 'rebalance']) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.SyncGroup:
      return {
        bytes: encode(API_KEYS.SyncGroup, {
          groupId: groupId(rng),
          generationId: rng.pick([0, 1, -1, 7]),
          memberId: rng.pick(['', 'm-1', 'unknown']),
          ...(version >= 3 ? { groupInstanceId: rng.pick([null, 'static-1']) } : {}),
          ...(version >= 5 ? { protocolType: rng.pick([null, 'consumer', 'connect']), protocolName: rng.pick([null, 'range', 'other']) } : {}),
          assignments: rng.chance(0.5) ? [] : [{ memberId: 'm-1', assignment: rng.bytes(rng.int(30)) }],
        }),
        desync: false,
      };
    case API_KEYS.Heartbeat:
      return {
        bytes: encode(API_KEYS.Heartbeat, { groupId: groupId(rng), generationId: rng.pick([0, 1, -1]), memberId: rng.pick(['', 'm-1']), ...(version >= 3 ? { groupInstanceId: rng.pick([null, 'static-1']) } : {}) }),
        desync: false,
      };
    case API_KEYS.LeaveGroup:
      return {
        bytes: encode(API_KEYS.LeaveGroup, {
          groupId: groupId(rng),
          ...(version >= 3
            ? { members: [{ memberId: rng.pick(['', 'm-1']), groupInstanceId: rng.pick([null, 'static-1']), ...(version >= 5 ? { reason: rng.pick([null, 'bye']) } : {}) }] }
            : { memberId: rng.pick(['', 'm-1']) }),
        }),
        desync: false,
      };
    case API_KEYS.OffsetCommit:
      return {
        bytes: encode(API_KEYS.OffsetCommit, {
          groupId: groupId(rng),
          generationIdOrMemberEpoch: rng.pick([-1, -1, 0, 3]),
          memberId: rng.pick(['', '', 'm-1']),
          ...(version <= 4 ? { retentionTimeMs: rng.pick([-1n, 0n, 60_000n]) } : {}),
          ...(version >= 7 ? { groupInstanceId: rng.pick([null, null, 'static-1']) } : {}),
          topics: [
            {
              name: rng.pick([DATA_TOPIC, 'fz-missing']),
              partitions: [
                {
                  partitionIndex: rng.int(3),
                  committedOffset: rng.pick([0n, 1n, 5n, -1n]),
                  ...(version >= 6 ? { committedLeaderEpoch: rng.pick([-1, 0, 7]) } : {}),
                  committedMetadata: rng.pick([null, '', 'meta']),
                },
              ],
            },
          ],
        }),
        desync: false,
      };
    case API_KEYS.OffsetFetch: {
      const topics = () => (version >= 2 && rng.chance(0.3) ? null : [{ name: rng.pick([DATA_TOPIC, 'fz-missing']), partitionIndexes: rng.pick([[0], [0, 1], [], [5]]) }]);
      return {
        bytes: encode(API_KEYS.OffsetFetch, {
          // v8 asks for several groups at once.
          ...(version >= 8 ? { groups: Array.from({ length: rng.int(3) }, () => ({ groupId: groupId(rng), topics: topics() })) } : { groupId: groupId(rng), topics: topics() }),
          ...(version >= 7 ? { requireStable: rng.chance(0.5) } : {}),
        }),
        desync: false,
      };
    }
    case API_KEYS.ListGroups:
      return {
        bytes: encode(API_KEYS.ListGroups, {
          ...(version >= 4 ? { statesFilter: rng.pick([[], ['Empty'], ['stable', 'PreparingRebalance'], ['nonsense']]) } : {}),
          ...(version >= 5 ? { typesFilter: rng.pick([[], ['classic'], ['consumer'], ['CLASSIC', 'x']]) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.DescribeGroups:
      return {
        bytes: encode(API_KEYS.DescribeGroups, { groups: Array.from({ length: rng.int(3) }, () => groupId(rng)), ...(version >= 3 ? { includeAuthorizedOperations: rng.chance(0.5) } : {}) }),
        desync: false,
      };
    case API_KEYS.DeleteGroups:
      return { bytes: encode(API_KEYS.DeleteGroups, { groupsNames: Array.from({ length: rng.int(3) }, () => groupId(rng)) }), desync: false };
    default:
      throw new Error(`the broker serves API ${apiKey} v${version}, which has no fuzz request template: add one`);
  }
}

// ---- Structured edge cases: well-formed requests carrying the values handlers must reject ----

/** Never the well-behaved client's topic, so nothing here can disturb what it checks. */
const TOPIC_NAMES = [DATA_TOPIC, DATA_TOPIC, 'fz-edge', '', '.', '..', 'a'.repeat(249), 'b'.repeat(250), 'bad name!', 'fz/slash', '__consumer_offsets', '__fz-internal', 'fz.dot', 'fz_dot', 'töpic', 'fz-ct-1'];
const PARTITIONS = [0, 1, 2, 3, -1, 10_000, 0x7fffffff, -0x80000000];
const OFFSETS = [0n, 1n, 3n, -1n, -2n, 1n << 40n, (1n << 63n) - 1n, -(1n << 63n)];
const INT32S = [0, 1, -1, 100, 1 << 20, 0x7fffffff, -0x80000000];

function edgeRecords(rng: Rng): Buffer | null {
  const batch = batchOf('edge', 1 + rng.int(3));
  const withCrc = (b: Buffer) => {
    b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES)), CRC);
    return b;
  };
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return Buffer.alloc(0);
    case 2:
      return batch.subarray(0, rng.int(batch.length));
    case 3:
      return Buffer.concat([batch, batchOf('second')]);
    case 4:
      return rng.bytes(rng.int(120));
    case 5: {
      // A gzip batch whose compressed records are garbage, with a CRC that matches.
      const gz = buildBatch([{ value: Buffer.from('zipped') }], { compression: 'gzip' });
      for (let i = 0; i < 4; i++) gz[61 + rng.int(gz.length - 61)]! ^= 0xff;
      return withCrc(gz);
    }
    case 6: {
      // Records that do not match their count, with a matching CRC.
      batch.writeInt32BE(batch.readInt32BE(RECORDS_COUNT) + 1, RECORDS_COUNT);
      batch.writeInt32BE(batch.readInt32BE(RECORDS_COUNT) - 1, LAST_OFFSET_DELTA);
      return withCrc(batch);
    }
    case 7:
      batch.writeInt16BE(0x20, ATTRIBUTES); // control batch
      return withCrc(batch);
    case 8:
      batch.writeBigInt64BE(7n, PRODUCER_ID); // idempotent, without a sequence
      return withCrc(batch);
    case 9:
      batch.writeInt16BE(rng.pick([3, 4, 5, 6, 7]), ATTRIBUTES); // codecs not available or unknown
      return withCrc(batch);
    case 10:
      batch[MAGIC] = rng.pick([0, 1]);
      return batch;
    default:
      return batch;
  }
}

/** A well-formed request whose values are edge cases: each handler must answer it with error codes. */
function edgeRequest(rng: Rng, correlationId: number): FuzzFrame {
  const [apiKey, version] = rng.pick(SERVED_VERSIONS);
  const header = { apiKey, apiVersion: version, correlationId, clientId: rng.pick([null, '', 'edge', 'x'.repeat(1000)]) };
  const topic = () => rng.pick(TOPIC_NAMES);
  const encode = <K extends ApiKey>(key: K, body: RequestBodies[K]) => encodeRequest({ ...header, apiKey: key }, body);
  switch (apiKey) {
    case API_KEYS.ApiVersions:
      return { bytes: encode(API_KEYS.ApiVersions, version >= 3 ? { clientSoftwareName: rng.pick(['', '-', 'a b', 'x'.repeat(300)]), clientSoftwareVersion: rng.pick(['', '1', '!']) } : {}), desync: false };
    case API_KEYS.Metadata: {
      const count = rng.pick([0, 1, 2, 5]);
      const entry = () => (version >= 10 && rng.chance(0.3) ? { name: rng.pick([null, topic()]), topicId: topicId(rng) } : { name: topic() });
      return {
        bytes: encode(API_KEYS.Metadata, {
          topics: Array.from({ length: count }, entry),
          ...(version >= 4 ? { allowAutoTopicCreation: rng.chance(0.5) } : {}),
          ...(version >= 8 ? { includeTopicAuthorizedOperations: rng.chance(0.5) } : {}),
          ...(version >= 8 && version <= 10 ? { includeClusterAuthorizedOperations: rng.chance(0.5) } : {}),
        }),
        desync: false,
      };
    }
    case API_KEYS.Produce: {
      const partitions = Array.from({ length: 1 + rng.int(3) }, () => ({ index: rng.pick(PARTITIONS), records: edgeRecords(rng) }));
      return {
        bytes: encode(API_KEYS.Produce, {
          ...(version >= 3 ? { transactionalId: rng.pick([null, null, '', 'txn']) } : {}),
          acks: rng.pick([0, 1, -1, 2, -2, 0x7fff]),
          timeoutMs: rng.pick(INT32S),
          topicData: rng.chance(0.1) ? [] : [{ name: topic(), partitionData: rng.chance(0.1) ? [] : partitions }],
        }),
        desync: false,
      };
    }
    case API_KEYS.Fetch:
      return {
        bytes: encode(API_KEYS.Fetch, {
          replicaId: rng.pick([-1, 0, 1]),
          // Short waits only: a long one would hold the connection (and this worker) up.
          maxWaitMs: rng.pick([0, 1, 10, -1, -0x80000000]),
          minBytes: rng.pick(INT32S),
          maxBytes: rng.pick(INT32S),
          isolationLevel: rng.pick([0, 1, 2, -1, 127]),
          ...(version >= 7
            ? { sessionId: rng.pick([0, 0, 1, -1]), sessionEpoch: rng.pick([-1, -1, 0, 5]), forgottenTopicsData: rng.chance(0.2) ? [version >= 13 ? { topicId: topicId(rng), partitions: [0] } : { topic: topic(), partitions: [0] }] : [] }
            : {}),
          topics: Array.from({ length: rng.pick([0, 1, 1, 2]) }, () => ({
            ...(version >= 13 ? { topicId: topicId(rng) } : { topic: topic() }),
            partitions: Array.from({ length: rng.pick([0, 1, 1, 3]) }, () => ({
              partition: rng.pick(PARTITIONS),
              fetchOffset: rng.pick(OFFSETS),
              partitionMaxBytes: rng.pick(INT32S),
              ...(version >= 9 ? { currentLeaderEpoch: rng.pick([-1, 0, 5]) } : {}),
              ...(version >= 5 ? { logStartOffset: rng.pick(OFFSETS) } : {}),
            })),
          })),
          ...(version >= 11 ? { rackId: rng.pick(['', 'r']) } : {}),
        }),
        desync: false,
      };
    case API_KEYS.ListOffsets:
      return {
        bytes: encode(API_KEYS.ListOffsets, {
          replicaId: rng.pick([-1, 0, 3]),
          ...(version >= 2 ? { isolationLevel: rng.pick([0, 1, 2, -1]) } : {}),
          topics: Array.from({ length: rng.pick([0, 1, 2]) }, () => ({
            name: topic(),
            partitions: Array.from({ length: rng.pick([0, 1, 2]) }, () => ({ partitionIndex: rng.pick(PARTITIONS), timestamp: rng.pick([-1n, -2n, -3n, -4n, -5n, 0n, 1_700_000_000_000n, (1n << 63n) - 1n, -(1n << 63n)]) })),
          })),
        }),
        desync: false,
      };
    case API_KEYS.CreateTopics: {
      const assignments = rng.pick([[], [], [{ partitionIndex: 0, brokerIds: [0] }], [{ partitionIndex: 0, brokerIds: [1] }], [{ partitionIndex: 5, brokerIds: [0, 0] }], [{ partitionIndex: 0, brokerIds: [] }]]);
      const configs = Array.from({ length: rng.pick([0, 1, 2]) }, () =>
        rng.pick([
          { name: 'retention.ms', value: '-1' },
          { name: 'retention.ms', value: 'x' },
          { name: 'retention.ms', value: null },
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: '0' },
          { name: 'segment.bytes', value: '1' },
          { name: 'segment.ms', value: '99999999999999999999' },
          { name: 'unknown.config', value: '1' },
          { name: '', value: '' },
        ]),
      );
      return {
        bytes: encode(API_KEYS.CreateTopics, {
          topics: Array.from({ length: rng.pick([0, 1, 1, 2]) }, () => ({
            name: rng.chance(0.5) ? `fz-ct-${rng.int(12)}` : topic(),
            numPartitions: rng.pick([-1, 0, 1, 3, -5, 10_001, 0x7fffffff]),
            replicationFactor: rng.pick([-1, 1, 0, 2, 0x7fff]),
            assignments,
            configs,
          })),
          timeoutMs: rng.pick(INT32S),
          ...(version >= 1 ? { validateOnly: rng.chance(0.3) } : {}),
        }),
        desync: false,
      };
    }
    case API_KEYS.DeleteTopics:
      return {
        bytes: encode(API_KEYS.DeleteTopics, {
          ...(version >= 6
            ? { topics: Array.from({ length: rng.pick([0, 1, 2]) }, () => rng.pick([{ name: topic(), topicId: ZERO_UUID }, { name: null, topicId: topicId(rng) }, { name: topic(), topicId: topicId(rng) }, { name: null, topicId: ZERO_UUID }])) }
            : { topicNames: Array.from({ length: rng.pick([0, 1, 2]) }, () => (rng.chance(0.5) ? `fz-ct-${rng.int(12)}` : topic())) }),
          timeoutMs: rng.pick(INT32S),
        }),
        desync: false,
      };
    case API_KEYS.CreatePartitions:
      return {
        bytes: encode(API_KEYS.CreatePartitions, {
          topics: Array.from({ length: rng.pick([0, 1, 2]) }, () => ({
            name: topic(),
            count: rng.pick([0, 1, 2, 3, -1, 10_001, 0x7fffffff]),
            assignments: rng.pick([null, [], [{ brokerIds: [0] }], [{ brokerIds: [] }], [{ brokerIds: [1] }, { brokerIds: [0] }]]),
          })),
          timeoutMs: rng.pick(INT32S),
          validateOnly: rng.chance(0.5),
        }),
        desync: false,
      };
    case API_KEYS.DescribeConfigs:
      return {
        bytes: encode(API_KEYS.DescribeConfigs, {
          resources: Array.from({ length: rng.pick([0, 1, 2]) }, () => ({
            resourceType: rng.pick([0, 1, 2, 3, 4, -1, 127]),
            resourceName: rng.pick(['', '0', '-1', '999', 'abc', topic()]),
            configurationKeys: rng.pick([null, [], ['x'], ['retention.ms', 'retention.ms'], ['log.dirs', 'num.partitions']]),
          })),
          ...(version >= 1 ? { includeSynonyms: rng.chance(0.5) } : {}),
        }),
        desync: false,
      };
    default:
      // The group APIs' templates above already vary their values over edge cases.
      return requestFor(rng, apiKey, version, correlationId);
  }
}

function fixPrefix(bytes: Buffer): Buffer {
  bytes.writeInt32BE(bytes.length - 4, 0);
  return bytes;
}

const HUGE_32 = [0x7fffffff, 0x7ffffff0, 0x10000000, 0x00ffffff, -2, -0x80000000];
const HUGE_16 = [0x7fff, 0x4000, -2, -0x8000];

/** One mutation of a frame; those that break the size prefix say so. */
function mutate(rng: Rng, frame: FuzzFrame, correlationId: number): FuzzFrame {
  const bytes = Buffer.from(frame.bytes);
  const n = bytes.length;
  const at = () => 4 + rng.int(Math.max(1, n - 4));
  switch (rng.int(11)) {
    case 0: {
      for (let i = 1 + rng.int(8); i > 0; i--) bytes[at()]! ^= 1 << rng.int(8);
      return { ...frame, bytes };
    }
    case 1: {
      for (let i = 1 + rng.int(4); i > 0; i--) bytes[at()] = rng.pick([0x00, 0xff, 0x7f, 0x80, rng.int(256)]);
      return { ...frame, bytes };
    }
    case 2:
      return { bytes: fixPrefix(Buffer.from(bytes.subarray(0, 4 + rng.int(n - 4)))), desync: false };
    case 3:
      return { ...frame, bytes: fixPrefix(Buffer.concat([bytes, rng.bytes(1 + rng.int(64))])) };
    case 4: {
      // Huge counts and lengths, overwritten or inserted at a random place after the header.
      const pos = 12 + rng.int(Math.max(1, n - 16));
      const value = Buffer.alloc(4);
      const wide = rng.chance(0.5);
      if (wide) value.writeInt32BE(rng.pick(HUGE_32));
      else value.writeInt16BE(rng.pick(HUGE_16));
      const field = wide ? value : value.subarray(0, 2);
      if (rng.chance(0.5) && pos + field.length <= n) {
        field.copy(bytes, pos);
        return { ...frame, bytes };
      }
      return { bytes: fixPrefix(Buffer.concat([bytes.subarray(0, pos), field, bytes.subarray(pos)])), desync: false };
    }
    case 5: {
      // Unknown keys, unserved keys, versions out of range.
      if (n < 8) return mutate(rng, validRequest(rng, correlationId), correlationId);
      if (rng.chance(0.5)) bytes.writeInt16BE(rng.chance(0.5) ? rng.pick(UNSERVED_KEYS) : rng.pick(SERVED)[0], 4);
      bytes.writeInt16BE(rng.pick([-1, 0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 99, 0x7fff, rng.int(20)]), 6);
      return { ...frame, bytes };
    }
    case 6: {
      if (!frame.batch) return mutate(rng, frame, correlationId);
      // Inside the record batch; half the time the CRC is made right again so the damage
      // reaches the checks behind it (counts, attributes, compressed records).
      const { start, end } = frame.batch;
      const batch = bytes.subarray(start, end);
      switch (rng.int(7)) {
        case 0:
          batch[CRC + rng.int(4)]! ^= 1 << rng.int(8);
          break;
        case 1:
          batch[MAGIC] = rng.pick([0, 1, 3, 0xff]);
          break;
        case 2:
          batch.writeInt32BE(rng.pick([0, 1, 48, batch.length, batch.length - 13, -1, 0x7fffffff]), BATCH_LENGTH);
          break;
        case 3:
          batch.writeInt32BE(rng.pick([0, -1, 2, 1000, 0x7fffffff]), RECORDS_COUNT);
          break;
        case 4:
          batch.writeInt16BE(rng.int(0x40), ATTRIBUTES);
          break;
        case 5:
          batch.writeInt32BE(rng.pick([-1, 5, 0x7fffffff]), LAST_OFFSET_DELTA);
          if (rng.chance(0.5)) batch.writeBigInt64BE(BigInt(rng.int(1000)), PRODUCER_ID);
          break;
        default:
          for (let i = 1 + rng.int(6); i > 0; i--) batch[61 + rng.int(Math.max(1, batch.length - 61))]! ^= 1 << rng.int(8);
      }
      if (rng.chance(0.5) && batch.length >= 61) batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES)), CRC);
      return { ...frame, bytes };
    }
    case 7: {
      // Random bytes: all of the frame, or the body behind a served header.
      const body = rng.bytes(rng.int(200));
      const out = Buffer.alloc(4 + (rng.chance(0.5) ? 8 : 0) + body.length);
      let pos = 4;
      if (out.length >= 12 + body.length) {
        const [key, version] = rng.pick(SERVED_VERSIONS);
        out.writeInt16BE(key, 4);
        out.writeInt16BE(version, 6);
        out.writeInt32BE(correlationId, 8);
        pos = 12;
      }
      body.copy(out, pos);
      return { bytes: fixPrefix(out), desync: false };
    }
    case 8: {
      // Another request's tail behind this one's head.
      const other = validRequest(rng, correlationId).bytes;
      const cut = 4 + rng.int(n - 4);
      return { bytes: fixPrefix(Buffer.concat([bytes.subarray(0, cut), other.subarray(4 + rng.int(other.length - 4))])), desync: false };
    }
    case 9: {
      // Rare on purpose: the connection is lost to garbage after this.
      if (!rng.chance(0.1)) return mutate(rng, frame, correlationId);
      bytes.writeInt32BE(rng.pick([n - 4 + 1 + rng.int(100), Math.max(0, n - 5 - rng.int(8)), 0x7fffffff, -1, 64 << 20]), 0);
      return { bytes, desync: true };
    }
    default: {
      // Empty and tiny frames.
      const size = rng.int(9);
      return { bytes: fixPrefix(Buffer.concat([Buffer.alloc(4), bytes.subarray(4, 4 + size)])), desync: false };
    }
  }
}

function wellFormedFrame(rng: Rng, correlationId: number): FuzzFrame {
  return rng.chance(0.5) ? edgeRequest(rng, correlationId) : validRequest(rng, correlationId);
}

/** One to three mutations of a well-formed request (random bytes being one of them). */
function brokenFrame(rng: Rng, correlationId: number): FuzzFrame {
  let frame = wellFormedFrame(rng, correlationId);
  const mutations = rng.chance(0.7) ? 1 : rng.chance(0.67) ? 2 : 3;
  for (let i = mutations; i > 0 && !frame.desync; i--) frame = mutate(rng, frame, correlationId);
  return frame;
}

interface Expected {
  correlationId: number;
  apiKey: number;
  apiVersion: number;
}

/** What the broker will see as the request header of a frame with a correct size prefix, if it can read one. */
function expectedOf(bytes: Buffer): Expected | null {
  if (bytes.length < 12) return null;
  return { apiKey: bytes.readInt16BE(4), apiVersion: bytes.readInt16BE(6), correlationId: bytes.readInt32BE(8) };
}

/** Checks the answers on one connection: in request order, each for a request we sent, each decodable. */
function checkAnswers(frames: readonly Buffer[], expected: readonly Expected[], context: string, answered: Record<number, number>): void {
  let next = 0;
  for (const frame of frames) {
    const correlationId = frame.readInt32BE(0);
    while (next < expected.length && expected[next]!.correlationId !== correlationId) next++;
    if (next === expected.length) throw new Error(`${context}: answer with correlation id ${correlationId} matches no request sent before it, in order`);
    const { apiKey, apiVersion } = expected[next++]!;
    answered[apiKey] = (answered[apiKey] ?? 0) + 1;
    if (!SERVED.some(([key]) => key === apiKey)) throw new Error(`${context}: API ${apiKey} v${apiVersion} was answered, though not served`);
    const served = SERVED.find(([key, min, max]) => key === apiKey && apiVersion >= min && apiVersion <= max);
    try {
      if (served) decodeResponse(apiKey as ApiKey, apiVersion, frame);
      else {
        expect(apiKey, `${context}: unsupported version answered`).toBe(API_KEYS.ApiVersions);
        expect(decodeResponse(API_KEYS.ApiVersions, 0, frame).body.errorCode).toBe(35);
      }
    } catch (error) {
      throw new Error(`${context}: answer to API ${apiKey} v${apiVersion} (correlation id ${correlationId}) does not decode: ${(error as Error).message}`);
    }
  }
}

interface Stats {
  frames: number;
  /** Mutated and random frames among them. */
  broken: number;
  batches: number;
  connections: number;
  closedByBroker: number;
  answers: number;
  sentinelTimeouts: number;
  desyncs: number;
  /** Answers per API key (the sentinels included): every served API should show up. */
  answeredByApi: Record<number, number>;
}

const SENTINEL_BASE = 0x7a000000;

async function fuzzWorker(tb: TestBroker, worker: number, budget: { left: number; deadline: number }, stats: Stats): Promise<void> {
  const rng = new Rng((SEED + Math.imul(worker + 1, 0x9e3779b1)) >>> 0);
  let client: RawClient | null = null;
  let seen = 0;
  let sentinel = SENTINEL_BASE + worker * 0x100000;
  try {
    while (budget.left > 0) {
      if (Date.now() > budget.deadline) throw new Error(`the fuzz loop ran past its deadline with ${budget.left} frames left (seed ${SEED})`);
      if (!client || client.closed) {
        if (client?.closed) stats.closedByBroker++;
        // Not through tb.connect, which keeps every client (and its answers) until the end.
        client = await RawClient.connect(tb.broker.port);
        seen = 0;
        stats.connections++;
      }
      const frames: FuzzFrame[] = [];
      for (let i = rng.int(4); i > 0; i--) frames.push(wellFormedFrame(rng, client.correlationId()));
      const broken = Math.min(budget.left, rng.chance(0.35) ? 2 : 1);
      for (let i = 0; i < broken; i++) {
        const frame = brokenFrame(rng, client.correlationId());
        frames.push(frame);
        budget.left--;
        stats.broken++;
        if (frame.desync) break;
      }
      stats.frames += frames.length;
      stats.batches++;
      const desync = frames.some((f) => f.desync);
      const expected = frames.filter((f) => !f.desync).map((f) => expectedOf(f.bytes)).filter((e): e is Expected => e !== null);
      const parts = frames.map((f) => f.bytes);
      sentinel++;
      if (!desync) parts.push(encodeRequest({ apiKey: API_KEYS.ApiVersions, apiVersion: 0, correlationId: sentinel }, {}));
      const all = Buffer.concat(parts);
      // Sometimes in pieces, so that frames straddle socket reads.
      if (rng.chance(0.3)) {
        const cut = rng.int(all.length);
        client.writeRaw(all.subarray(0, cut));
        await new Promise((resolve) => setImmediate(resolve));
        client.writeRaw(all.subarray(cut));
      } else {
        client.writeRaw(all);
      }

      const current: RawClient = client;
      if (desync) {
        stats.desyncs++;
        await current.waitForClose(100);
        current.destroy();
        client = null;
        continue;
      }
      try {
        await current.waitUntil(() => current.has(sentinel) || current.closed, 'the sentinel answer', 10_000);
      } catch (error) {
        if (!(error instanceof WaitTimeout)) throw error;
        // A mutated fetch may legitimately wait long; give up on this connection.
        stats.sentinelTimeouts++;
      }
      const answers = current.frames.slice(seen);
      seen = current.frames.length;
      stats.answers += answers.filter((frame) => frame.readInt32BE(0) !== sentinel).length;
      checkAnswers(answers, [...expected, { correlationId: sentinel, apiKey: API_KEYS.ApiVersions, apiVersion: 0 }], `worker ${worker} (seed ${SEED})`, stats.answeredByApi);
      if (!current.closed && !current.has(sentinel)) {
        current.destroy();
        client = null;
      }
    }
  } finally {
    client?.destroy();
  }
}

/** The well-behaved client: produce, fetch it back, metadata, over and over, on its own connection. */
async function goodClient(tb: TestBroker, stop: { done: boolean }, progress: { rounds: number }): Promise<void> {
  const client = await tb.connect();
  const next = [0n, 0n];
  try {
    for (let round = 0; !stop.done; round++) {
      const partition = round % 2;
      const value = `good-${round}`;
      const produced = await client.request(API_KEYS.Produce, 7, produceBody(GOOD_TOPIC, partition, batchOf(value, 2), -1));
      const p = produced.responses[0]!.partitionResponses[0]!;
      expect({ round, errorCode: p.errorCode, baseOffset: p.baseOffset }).toEqual({ round, errorCode: 0, baseOffset: next[partition] });
      const fetched = await client.request(API_KEYS.Fetch, 11, fetchBody(GOOD_TOPIC, partition, next[partition]!));
      const f = fetched.responses[0]!.partitions[0]!;
      expect(f.errorCode).toBe(0);
      expect(f.highWatermark).toBe(next[partition]! + 2n);
      expect(recordsOf(f.records).map((r) => [r.offset, r.value!.toString()])).toEqual([
        [next[partition], `${value}-0`],
        [next[partition]! + 1n, `${value}-1`],
      ]);
      next[partition]! += 2n;
      const metadata = await client.request(API_KEYS.Metadata, 6, { topics: [{ name: GOOD_TOPIC }], allowAutoTopicCreation: false });
      expect(metadata.brokers.map((b) => [b.host, b.port])).toEqual([['127.0.0.1', tb.broker.port]]);
      expect(metadata.topics.map((t) => [t.name, t.errorCode, t.partitions.map((q) => [q.partitionIndex, q.errorCode])])).toEqual([
        [GOOD_TOPIC, 0, [[0, 0], [1, 0]]],
      ]);
      progress.rounds++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    client.destroy();
  }
}

function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

describe('protocol fuzzing', () => {
  let tb: TestBroker;
  const logged: string[] = [];
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);

  beforeAll(async () => {
    console.log(`protocol fuzz seed ${SEED} (TIDELOG_FUZZ_SEED=${SEED} reproduces the frames)`);
    tb = await startTestBroker(
      // No initial rebalance delay: a JoinGroup is answered at once rather than after 3 s.
      { 'num.partitions': '1', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4' },
      createLogger('warn', (line) => logged.push(line)),
    );
    const admin = await tb.connect();
    learnServed((await admin.request(API_KEYS.ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' })).apiKeys);
    // Every served API and version has a template (this throws for one that has none).
    for (const [apiKey, version] of SERVED_VERSIONS) requestFor(new Rng(SEED), apiKey, version, 1);
    await createTopics(admin, [
      { name: GOOD_TOPIC, partitions: 2 },
      { name: DATA_TOPIC, partitions: 2 },
    ]);
    for (let i = 0; i < 4; i++) await admin.request(API_KEYS.Produce, 7, produceBody(DATA_TOPIC, i % 2, batchOf(`seed${i}`, 2)));
    const metadataMax = SERVED.find(([key]) => key === API_KEYS.Metadata)![2];
    if (metadataMax >= 10) {
      const described = await admin.request(API_KEYS.Metadata, metadataMax, { topics: [{ name: DATA_TOPIC }], allowAutoTopicCreation: false });
      DATA_TOPIC_ID = described.topics[0]!.topicId;
    }
    admin.destroy();
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  });

  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await tb?.stop();
  });

  it(`survives ${BROKEN_FRAMES} mutated and random frames while a well-behaved client keeps working`, async () => {
    const gc = forceGc();
    gc();
    const before = process.memoryUsage();
    const stats: Stats = { frames: 0, broken: 0, batches: 0, connections: 0, closedByBroker: 0, answers: 0, sentinelTimeouts: 0, desyncs: 0, answeredByApi: {} };
    const budget = { left: BROKEN_FRAMES, deadline: Date.now() + FUZZ_DEADLINE_MS };
    const stop = { done: false };
    const progress = { rounds: 0 };
    const started = Date.now();

    const good = goodClient(tb, stop, progress);
    const results = await Promise.allSettled(Array.from({ length: WORKERS }, (_, w) => fuzzWorker(tb, w, budget, stats)));
    stop.done = true;
    const goodResult = await good.then(
      () => null,
      (error: unknown) => error,
    );
    const elapsed = Date.now() - started;
    console.log(`fuzz seed ${SEED}: ${JSON.stringify(stats)}, good-client rounds ${progress.rounds}, topics ${tb.broker.topics.listTopics().length}, ${elapsed} ms`);

    for (const result of results) if (result.status === 'rejected') throw result.reason;
    if (goodResult) throw goodResult;
    expect(stats.broken).toBe(BROKEN_FRAMES);
    // The well-formed requests around them reached the handlers and were answered.
    expect(stats.answers).toBeGreaterThan((stats.frames - stats.broken) / 2);
    expect(Object.keys(stats.answeredByApi).map(Number).sort((a, b) => a - b)).toEqual(SERVED.map(([key]) => key as number).sort((a, b) => a - b));
    expect(progress.rounds).toBeGreaterThan(0);
    expect(crashes, `seed ${SEED}`).toEqual([]);

    // The broker is still whole: new connections work, nothing waits for a gone client.
    const after = await tb.connect();
    expect((await after.request(API_KEYS.ApiVersions, 3, { clientSoftwareName: 'after', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    await eventually(() => tb.broker.topics.pendingFetches === 0 && tb.broker.topics.appendListenerCount === 0, 'waiting fetches of closed connections to go');

    // Handlers answered every malformed-but-decodable request with error codes, never with an
    // unexpected failure (logged as an error) or a handler crash (logged as a warning).
    const problems = logged.filter((line) => / ERROR /.test(line) || /handler failed/.test(line));
    expect(problems.map((line) => line.slice(0, 600)), `seed ${SEED}`).toEqual([]);

    gc();
    const end = process.memoryUsage();
    console.log(`fuzz memory: heapUsed ${((end.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1)} MiB, rss ${((end.rss - before.rss) / 2 ** 20).toFixed(1)} MiB`);
    expect(end.heapUsed - before.heapUsed).toBeLessThan(200 * 2 ** 20);
    expect(end.rss - before.rss).toBeLessThan(200 * 2 ** 20);
  }, 150_000);
});
