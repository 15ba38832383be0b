import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEYS, decodeResponse } from '../src/protocol/index.js';
import { buildBatch } from '../src/record/index.js';
import { echoFrame, loopbackLatency, rawReads, rawWrites, startLoopbackPeer } from './baselines.js';
import { withBroker } from './broker-child.js';
import type { Child } from './child-process.js';
import { measured, medianMeasured, type Measured } from './cpu.js';
import { makeBatches, RECORDS, RECORDS_PER_BATCH, VALUE_BYTES } from './log-bench.js';
import { openConnections, pingPong, pipeline, type RawConnection } from './raw-connection.js';
import { checkProduced, createTopic, deleteTopic, nextOffsetAfter, produceRequest, request } from './raw-kafka.js';
import { latencySummary, median, printLatencyTable, printTable, report, timed, type LatencyRow, type Row } from './stats.js';

/**
 * The broker over TCP, with the broker in its own process (the compiled CLI) and this
 * process as a minimal raw client built on the protocol codecs, so that the client's CPU
 * is not the broker's:
 *
 * - ingest: RECORDS records of VALUE_BYTES bytes in pre-built, pre-encoded Produce requests
 *   of RECORDS_PER_BATCH records, pipelined on CONNECTIONS connections with WINDOW requests
 *   in flight on each, to one partition, with acks=1 and with acks=-1 (group-committed
 *   fsync), beside raw sequential writes of the same bytes to a file, all in the same run;
 * - fetch: everything read back from offset 0 with Fetch v11, one request in flight (as a
 *   consumer does for one partition), FETCH_MAX_BYTES per request, from the page cache,
 *   beside raw sequential 1 MiB reads of the same bytes;
 * - latency: one-record Produce requests sent one at a time on one connection (each awaits
 *   its response), beside the round trip of a same-size frame to a trivial TCP echo server
 *   in its own process.
 *
 * Every figure is the median over the runs, with the CPU the broker, this process and the
 * rest of the machine used meanwhile (the machine may be shared: "other" is the noise).
 *
 * Environment: BENCH_CONNECTIONS, BENCH_WINDOW, BENCH_LATENCY_REQUESTS and
 * BENCH_DURABLE_LATENCY_REQUESTS change the load; BENCH_BROKER_CPU_PROF=<dir> runs each
 * broker under `node --cpu-prof` and leaves one profile per phase there;
 * BENCH_BROKER_NODE_FLAGS adds node flags (e.g. `--trace-gc`); BENCH_BROKER_MAIN runs
 * another build's dist/src/cli/main.js.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 3);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
const FETCH_MAX_BYTES = 1 << 20;
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 20_000);
const DURABLE_LATENCY_REQUESTS = Number(process.env.BENCH_DURABLE_LATENCY_REQUESTS ?? 2_000);
/**
 * Untimed warm-up before the timed runs: a fresh broker runs its per-request code only about
 * a thousand times per ingest run, and keeps compiling it (TurboFan, on V8's worker threads)
 * and running it unoptimized for the first three or four runs, at half its steady-state speed.
 */
const WARMUP_INGEST_RUNS = 3;
const WARMUP_FETCH_RUNS = 2;
const WARMUP_REQUESTS = 5_000;
const FETCH_VERSION = 11;
/** Byte offset of the correlation id in a whole request frame: size prefix, api_key, api_version. */
const REQUEST_CORRELATION_OFFSET = 4 + 2 + 2;
const TARGET_INGEST_RATIO = 0.4;
const TARGET_P99_US = 200;

/** Fetches `topic` from offset 0 to `endOffset`, one request at a time, as a consumer reads a partition; returns the bytes of records received. */
async function fetchAll(conn: RawConnection, topic: string, endOffset: bigint): Promise<number> {
  let offset = 0n;
  let bytes = 0;
  let correlationId = 0;
  while (offset < endOffset) {
    const frame = request(API_KEYS.Fetch, FETCH_VERSION, ++correlationId, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: FETCH_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: FETCH_MAX_BYTES }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const { body } = decodeResponse(API_KEYS.Fetch, FETCH_VERSION, await conn.request(frame, correlationId));
    const partition = body.responses[0]?.partitions[0];
    if (!partition || partition.errorCode !== 0) throw new Error(`fetch at ${offset} failed with error code ${partition?.errorCode}`);
    const records = partition.records;
    if (!records || records.length === 0) throw new Error(`fetch at ${offset} returned nothing below the high watermark ${partition.highWatermark}`);
    bytes += records.length;
    offset = nextOffsetAfter(records);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------
// Phases

/** BENCH_BROKER_CPU_PROF=<dir> profiles each phase's broker. */
function brokerOptions(phase: string): { phase: string; cpuProfileDir: string | undefined } {
  return { phase, cpuProfileDir: process.env.BENCH_BROKER_CPU_PROF };
}

/** Produces `batches` to a new topic with `acks`, pipelined; times it (topic creation and frame encoding untimed). */
async function ingestOnce(broker: Child, topic: string, batches: Buffer[], acks: number, keep = false): Promise<Measured> {
  const conns = await openConnections(broker.port, CONNECTIONS);
  try {
    await createTopic(conns[0]!, topic);
    const frames = batches.map((batch, i) => produceRequest(topic, batch, acks, i));
    const result = await measured(broker.pid, () => pipeline(conns, frames, WINDOW, checkProduced));
    if (!keep) await deleteTopic(conns[0]!, topic);
    return result;
  } finally {
    for (const conn of conns) conn.close();
  }
}

/** Raw writes interleaved run by run with produce runs, so that a noisy moment hits both; `rawSeconds` collects the former. */
async function ingestPhase(root: string, runs: number, batches: Buffer[], acks: number, label: string, rawSeconds: number[]): Promise<Measured> {
  return withBroker(root, brokerOptions(label), async (broker) => {
    for (let i = 0; i < WARMUP_INGEST_RUNS; i++) await ingestOnce(broker, `warmup-${i}`, batches, acks);
    const results: Measured[] = [];
    for (let run = 0; run < runs; run++) {
      const rawPath = join(root, 'raw');
      rawSeconds.push(await timed(() => rawWrites(rawPath, batches)));
      await rm(rawPath, { force: true });
      results.push(await ingestOnce(broker, `ingest-${run}`, batches, acks));
    }
    return medianMeasured(results);
  });
}

async function fetchPhase(root: string, runs: number, batches: Buffer[], totalBytes: number): Promise<{ fetch: Measured; rawRead: number[] }> {
  const rawPath = join(root, 'raw');
  await rawWrites(rawPath, batches);
  const rawRead: number[] = [];
  try {
    for (let run = 0; run < runs; run++) rawRead.push(await timed(() => rawReads(rawPath, totalBytes)));
  } finally {
    await rm(rawPath, { force: true });
  }
  const fetch = await withBroker(root, brokerOptions('fetch'), async (broker) => {
    await ingestOnce(broker, 'fetched', batches, 1, true);
    const [conn] = await openConnections(broker.port, 1);
    try {
      const read = async () => {
        const bytes = await fetchAll(conn!, 'fetched', BigInt(RECORDS));
        if (bytes !== totalBytes) throw new Error(`fetched ${bytes} bytes of ${totalBytes}`);
      };
      for (let i = 0; i < WARMUP_FETCH_RUNS; i++) await read();
      const results: Measured[] = [];
      for (let run = 0; run < runs; run++) results.push(await measured(broker.pid, read));
      return medianMeasured(results);
    } finally {
      conn!.close();
    }
  });
  return { fetch, rawRead };
}

/** A produce request of one VALUE_BYTES record, and the echo frame of the same size. */
function singleRecordFrames(topic: string, acks: number): { produce: Buffer; echo: Buffer } {
  const batch = buildBatch([{ value: Buffer.alloc(VALUE_BYTES, 'x') }]);
  const produce = produceRequest(topic, batch, acks, 0);
  return { produce, echo: echoFrame(produce.length) };
}

async function latencyPhase(root: string, runs: number, acks: number, requests: number, label: string): Promise<{ samples: Float64Array[]; cpu: Measured }> {
  return withBroker(root, brokerOptions(label), async (broker) => {
    const [conn] = await openConnections(broker.port, 1);
    try {
      await createTopic(conn!, 'latency');
      const { produce } = singleRecordFrames('latency', acks);
      await pingPong(conn!, produce, REQUEST_CORRELATION_OFFSET, Math.min(WARMUP_REQUESTS, requests), checkProduced);
      const samples: Float64Array[] = [];
      const cpu: Measured[] = [];
      for (let run = 0; run < runs; run++) {
        cpu.push(await measured(broker.pid, async () => void samples.push(await pingPong(conn!, produce, REQUEST_CORRELATION_OFFSET, requests, checkProduced))));
      }
      return { samples, cpu: medianMeasured(cpu) };
    } finally {
      conn!.close();
    }
  });
}

async function loopbackPhase(runs: number, requests: number): Promise<{ samples: Float64Array[]; cpu: Measured }> {
  const peer = await startLoopbackPeer();
  try {
    return await loopbackLatency(peer, singleRecordFrames('latency', 1).echo, runs, requests);
  } finally {
    await peer.stop();
  }
}

export interface BrokerBenchResult {
  settings: { runs: number; records: number; recordsPerBatch: number; valueBytes: number; connections: number; window: number; fetchMaxBytes: number; latencyRequests: number; durableLatencyRequests: number };
  throughput: Row[];
  latency: LatencyRow[];
  /** Fetch against raw 1 MiB file reads in the same run. */
  fetchVsRawReads: number;
  targets: { ingestRatio: number; ingestRatioMet: boolean; p99Us: number; p99Met: boolean };
}

export async function runBrokerBench(runs: number): Promise<BrokerBenchResult> {
  const root = await mkdtemp(join(tmpdir(), 'tidelog-broker-bench-'));
  try {
    const batches = makeBatches();
    const totalBytes = batches.reduce((sum, b) => sum + b.length, 0);
    const megabytes = totalBytes / 1e6;
    const row = (name: string, seconds: number, baseline: number, cpu?: Measured): Row => ({
      name,
      recordsPerSecond: RECORDS / seconds,
      megabytesPerSecond: megabytes / seconds,
      ratio: baseline / seconds,
      ...(cpu && {
        serverCores: cpu.brokerCpu === null ? null : cpu.brokerCpu / cpu.seconds,
        clientCores: cpu.clientCpu / cpu.seconds,
        otherCores: cpu.otherCpu === null ? null : cpu.otherCpu / cpu.seconds,
      }),
    });

    const rawWriteSeconds: number[] = [];
    process.stderr.write('broker bench: produce acks=1... ');
    const acks1 = await ingestPhase(root, runs, batches, 1, 'produce-acks1', rawWriteSeconds);
    process.stderr.write('produce acks=-1... ');
    const acksAll = await ingestPhase(root, runs, batches, -1, 'produce-acksall', rawWriteSeconds);
    const raw = median(rawWriteSeconds);
    process.stderr.write('fetch... ');
    const fetched = await fetchPhase(root, runs, batches, totalBytes);
    const rawRead = median(fetched.rawRead);
    process.stderr.write('loopback... ');
    const loopback = await loopbackPhase(runs, LATENCY_REQUESTS);
    process.stderr.write('latency acks=1... ');
    const latency1 = await latencyPhase(root, runs, 1, LATENCY_REQUESTS, 'latency-acks1');
    process.stderr.write('latency acks=-1...\n');
    const latencyAll = await latencyPhase(root, runs, -1, DURABLE_LATENCY_REQUESTS, 'latency-acksall');

    const throughput = [
      row('raw sequential file writes', raw, raw),
      row(`produce acks=1, ${CONNECTIONS} conns × ${WINDOW} in flight`, acks1.seconds, raw, acks1),
      row(`produce acks=-1 (fsync), ${CONNECTIONS} × ${WINDOW}`, acksAll.seconds, raw, acksAll),
      row('raw sequential file reads, 1 MiB', rawRead, raw),
      row('fetch v11 (page cache), 1 MiB, 1 in flight', fetched.fetch.seconds, raw, fetched.fetch),
    ];
    const loopbackFigures = latencySummary(loopback.samples);
    const latencyRow = (name: string, requests: number, phase: { samples: Float64Array[]; cpu: Measured }): LatencyRow => {
      const figures = latencySummary(phase.samples);
      return {
        name,
        requests,
        ...figures,
        p50Ratio: figures.p50Us / loopbackFigures.p50Us,
        p99Ratio: figures.p99Us / loopbackFigures.p99Us,
        serverCpuUsPerRequest: phase.cpu.brokerCpu === null ? null : (phase.cpu.brokerCpu / requests) * 1e6,
        clientCpuUsPerRequest: (phase.cpu.clientCpu / requests) * 1e6,
        otherCores: phase.cpu.otherCpu === null ? null : phase.cpu.otherCpu / phase.cpu.seconds,
      };
    };
    const latency = [
      latencyRow(`loopback echo (own process), ${singleRecordFrames('latency', 1).echo.length} B`, LATENCY_REQUESTS, loopback),
      latencyRow('produce 1 record, acks=1', LATENCY_REQUESTS, latency1),
      latencyRow('produce 1 record, acks=-1 (fsync)', DURABLE_LATENCY_REQUESTS, latencyAll),
    ];

    printTable(`Broker over TCP, broker in its own process: ${RECORDS.toLocaleString()} records of ${VALUE_BYTES} B in batches of ${RECORDS_PER_BATCH}, median of ${runs} runs`, throughput, 'raw writes');
    const fetchVsRawReads = rawRead / fetched.fetch.seconds;
    report(`fetch vs raw 1 MiB reads: ${(fetchVsRawReads * 100).toFixed(0)}%`);
    printLatencyTable(`Produce latency, one request at a time on one connection, median of ${runs} runs of ${LATENCY_REQUESTS.toLocaleString()} (acks=-1: ${DURABLE_LATENCY_REQUESTS.toLocaleString()})`, latency, 'loopback');
    const ingestRatio = raw / acks1.seconds;
    const p99Us = latency[1]!.p99Us;
    const targets = { ingestRatio, ingestRatioMet: ingestRatio >= TARGET_INGEST_RATIO, p99Us, p99Met: p99Us < TARGET_P99_US };
    report(
      `\ntargets: ingest acks=1 at ${(ingestRatio * 100).toFixed(0)}% of raw writes (≥ ${TARGET_INGEST_RATIO * 100}%: ${targets.ingestRatioMet ? 'met' : 'MISSED'}); ` +
        `produce p99 ${p99Us.toFixed(0)} µs (< ${TARGET_P99_US} µs: ${targets.p99Met ? 'met' : 'MISSED'})`,
    );
    return {
      settings: { runs, records: RECORDS, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES, connections: CONNECTIONS, window: WINDOW, fetchMaxBytes: FETCH_MAX_BYTES, latencyRequests: LATENCY_REQUESTS, durableLatencyRequests: DURABLE_LATENCY_REQUESTS },
      throughput,
      latency,
      fetchVsRawReads,
      targets,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
