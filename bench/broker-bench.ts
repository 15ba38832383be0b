import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEYS, decodeResponse, encodeRequest, FrameSplitter, type ApiKey, type RequestBodies } from '../src/protocol/index.js';
import { BASE_OFFSET, BATCH_LENGTH, buildBatch, LAST_OFFSET_DELTA, LOG_OVERHEAD } from '../src/record/index.js';
import { makeBatches, rawReads, rawWrites, RECORDS, RECORDS_PER_BATCH, VALUE_BYTES } from './log-bench.js';
import { latencySummary, median, printLatencyTable, printTable, timed, type LatencyRow, type Row } from './stats.js';

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
const PRODUCE_VERSION = 7;
const FETCH_VERSION = 11;
const CLIENT_ID = 'tidelog-bench';
/** Byte offset of the correlation id in a whole request frame: size prefix, api_key, api_version. */
const REQUEST_CORRELATION_OFFSET = 4 + 2 + 2;
/** ...and in an echo frame, whose first body bytes come back as the "response" header. */
const ECHO_CORRELATION_OFFSET = 4;
const TARGET_INGEST_RATIO = 0.4;
const TARGET_P99_US = 200;

/** The broker started: this build's CLI, or BENCH_BROKER_MAIN (another build's dist/src/cli/main.js, to compare builds). */
const BROKER_MAIN = process.env.BENCH_BROKER_MAIN ?? fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

// ---------------------------------------------------------------------------------------
// Child processes

interface Child {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Children still running, killed if this process exits without stopping them (a failed run, Ctrl-C). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `node args`, waits for the stdout line matching `ready` (its first group is the port), and returns a handle that stops it with SIGTERM. */
function spawnListening(name: string, args: string[], ready: RegExp): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not start within 30 s; it printed: ${output}`));
    }, 30_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening; it printed: ${output}`));
    });
    // Keep draining stdout after the ready line, or a chatty child would block on a full pipe.
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (started) return void process.stderr.write(text);
      output += text;
      const match = ready.exec(output);
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({ port: Number(match[1]), pid: child.pid!, stop });
    });
  });
}

function startBrokerProcess(dataDir: string, phase: string): Promise<Child> {
  const profileDir = process.env.BENCH_BROKER_CPU_PROF;
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=broker-${phase}.cpuprofile`] : [];
  nodeFlags.push(...(process.env.BENCH_BROKER_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  return spawnListening(`broker (${phase})`, [...nodeFlags, BROKER_MAIN, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], /Tidelog broker listening on [^:\s]+:(\d+)/);
}

/** Writes every chunk back as it arrives: the floor under any request/response round trip. */
const ECHO_SERVER = `
const server = require('node:net').createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log('echo listening on ' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

function startEchoProcess(): Promise<Child> {
  return spawnListening('echo server', ['-e', ECHO_SERVER], /echo listening on (\d+)/);
}

/** CPU seconds a process has used, all its threads, from Linux's schedstat (nanoseconds); null elsewhere. */
function processCpuSeconds(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended between the listing and the read.
      }
    }
    return ns / 1e9;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait), from Linux's /proc/stat; null elsewhere. */
function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
  } catch {
    return null;
  }
}

function clientCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Wall seconds of `fn`, and the CPU seconds spent meanwhile by the broker, by this process,
 * and by everything else on the machine (other work on a shared machine: the noise).
 */
interface Measured {
  seconds: number;
  brokerCpu: number | null;
  clientCpu: number;
  otherCpu: number | null;
}

async function measured(brokerPid: number, fn: () => Promise<void>): Promise<Measured> {
  const machine0 = machineBusySeconds();
  const broker0 = processCpuSeconds(brokerPid);
  const client0 = clientCpuSeconds();
  const seconds = await timed(fn);
  const client1 = clientCpuSeconds();
  const broker1 = processCpuSeconds(brokerPid);
  const machine1 = machineBusySeconds();
  const brokerCpu = broker0 === null || broker1 === null ? null : broker1 - broker0;
  const clientCpu = client1 - client0;
  const otherCpu = machine0 === null || machine1 === null || brokerCpu === null ? null : Math.max(0, machine1 - machine0 - brokerCpu - clientCpu);
  return { seconds, brokerCpu, clientCpu, otherCpu };
}

function medianOrNull(values: (number | null)[]): number | null {
  return values.every((v) => v !== null) ? median(values as number[]) : null;
}

function medianMeasured(runs: Measured[]): Measured {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    brokerCpu: medianOrNull(runs.map((r) => r.brokerCpu)),
    clientCpu: median(runs.map((r) => r.clientCpu)),
    otherCpu: medianOrNull(runs.map((r) => r.otherCpu)),
  };
}

// ---------------------------------------------------------------------------------------
// A minimal raw client

type OnResponse = (error: Error | null, frame: Buffer | null) => void;

/**
 * One connection: whole frames out, response frames (after the size prefix) back in
 * request order, each checked against the correlation id it was sent with.
 */
class RawConnection {
  private readonly splitter = new FrameSplitter();
  private readonly pending: { correlationId: number; onResponse: OnResponse }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.splitter.push(chunk, (frame) => this.onFrame(frame));
      } catch (error) {
        this.fail(error as Error);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** A frame that does not answer the oldest request throws, and fail() then rejects every request still waiting. */
  private onFrame(frame: Buffer): void {
    const waiter = this.pending[0];
    if (!waiter) throw new Error('a response nobody asked for');
    const correlationId = frame.readInt32BE(0);
    if (correlationId !== waiter.correlationId) throw new Error(`response to ${correlationId} where ${waiter.correlationId} was due`);
    this.pending.shift();
    waiter.onResponse(null, frame);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.onResponse(error, null);
  }

  /** Sends a whole frame (size prefix included) whose correlation id is `correlationId`. */
  send(frame: Buffer, correlationId: number, onResponse: OnResponse): void {
    if (this.failure) return onResponse(this.failure, null);
    this.pending.push({ correlationId, onResponse });
    this.socket.write(frame);
  }

  request(frame: Buffer, correlationId: number): Promise<Buffer> {
    return new Promise((resolve, reject) => this.send(frame, correlationId, (error, response) => (error ? reject(error) : resolve(response!))));
  }

  close(): void {
    this.failure ??= new Error('closed by the client');
    this.socket.destroy();
  }
}

function request<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, body: RequestBodies[K]): Buffer {
  return encodeRequest({ apiKey, apiVersion, correlationId, clientId: CLIENT_ID }, body);
}

function produceRequest(topic: string, batch: Buffer, acks: number, correlationId: number): Buffer {
  return request(API_KEYS.Produce, PRODUCE_VERSION, correlationId, { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
}

function checkProduced(frame: Buffer): void {
  const { body } = decodeResponse(API_KEYS.Produce, PRODUCE_VERSION, frame);
  const errorCode = body.responses[0]?.partitionResponses[0]?.errorCode;
  if (errorCode !== 0) throw new Error(`produce failed with error code ${errorCode}`);
}

async function createTopic(conn: RawConnection, name: string): Promise<void> {
  const frame = request(API_KEYS.CreateTopics, 4, 0, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
  const { body } = decodeResponse(API_KEYS.CreateTopics, 4, await conn.request(frame, 0));
  const result = body.topics[0];
  if (result?.errorCode !== 0) throw new Error(`creating ${name} failed with error code ${result?.errorCode}: ${result?.errorMessage}`);
}

async function deleteTopic(conn: RawConnection, name: string): Promise<void> {
  const frame = request(API_KEYS.DeleteTopics, 1, 0, { topicNames: [name], timeoutMs: 30_000 });
  const { body } = decodeResponse(API_KEYS.DeleteTopics, 1, await conn.request(frame, 0));
  if (body.responses[0]?.errorCode !== 0) throw new Error(`deleting ${name} failed with error code ${body.responses[0]?.errorCode}`);
}

/**
 * Sends every frame (frame i carrying correlation id i), keeping up to `window` in flight on
 * each connection; resolves once all are answered and `check` accepted each answer.
 */
function pipeline(conns: RawConnection[], frames: Buffer[], window: number, check: (response: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let answered = 0;
    let failed = false;
    const sendNext = (conn: RawConnection) => {
      const i = next++;
      conn.send(frames[i]!, i, (error, response) => {
        if (failed) return;
        try {
          if (error) throw error;
          check(response!);
        } catch (e) {
          failed = true;
          return reject(e);
        }
        if (++answered === frames.length) return resolve();
        if (next < frames.length) sendNext(conn);
      });
    };
    for (let w = 0; w < window; w++) for (const conn of conns) if (next < frames.length) sendNext(conn);
  });
}

/**
 * Sends `frame` `count` times, each once the previous one is answered, patching a fresh
 * correlation id in at `correlationOffset`; returns each round trip in microseconds.
 */
function pingPong(conn: RawConnection, frame: Buffer, correlationOffset: number, count: number, check?: (response: Buffer) => void): Promise<Float64Array> {
  const samples = new Float64Array(count);
  return new Promise((resolve, reject) => {
    let i = 0;
    let start = 0n;
    const onResponse: OnResponse = (error, response) => {
      const end = process.hrtime.bigint();
      try {
        if (error) throw error;
        samples[i] = Number(end - start) / 1e3;
        check?.(response!);
      } catch (e) {
        return reject(e);
      }
      if (++i === count) return resolve(samples);
      sendOne();
    };
    const sendOne = () => {
      // The previous write of this buffer has completed: its answer came back.
      frame.writeInt32BE(i, correlationOffset);
      start = process.hrtime.bigint();
      conn.send(frame, i, onResponse);
    };
    sendOne();
  });
}

/** One past the last offset of back-to-back batches. */
function nextOffsetAfter(records: Buffer): bigint {
  let position = 0;
  let next = -1n;
  while (position + LOG_OVERHEAD <= records.length) {
    next = records.readBigInt64BE(position + BASE_OFFSET) + BigInt(records.readInt32BE(position + LAST_OFFSET_DELTA)) + 1n;
    position += LOG_OVERHEAD + records.readInt32BE(position + BATCH_LENGTH);
  }
  return next;
}

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

async function withBroker<T>(root: string, phase: string, fn: (broker: Child) => Promise<T>): Promise<T> {
  const dataDir = join(root, `broker-${phase}`);
  const broker = await startBrokerProcess(dataDir, phase);
  try {
    return await fn(broker);
  } finally {
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function openConnections(port: number, count: number): Promise<RawConnection[]> {
  return Promise.all(Array.from({ length: count }, () => RawConnection.open(port)));
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
  return withBroker(root, label, async (broker) => {
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
  const fetch = await withBroker(root, 'fetch', async (broker) => {
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
  const echo = Buffer.alloc(produce.length, 'e');
  echo.writeInt32BE(produce.length - 4, 0);
  return { produce, echo };
}

async function latencyPhase(root: string, runs: number, acks: number, requests: number, label: string): Promise<{ samples: Float64Array[]; cpu: Measured }> {
  return withBroker(root, label, async (broker) => {
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
  const echo = await startEchoProcess();
  try {
    const conn = await RawConnection.open(echo.port);
    try {
      const frame = singleRecordFrames('latency', 1).echo;
      await pingPong(conn, frame, ECHO_CORRELATION_OFFSET, WARMUP_REQUESTS);
      const samples: Float64Array[] = [];
      const cpu: Measured[] = [];
      for (let run = 0; run < runs; run++) cpu.push(await measured(echo.pid, async () => void samples.push(await pingPong(conn, frame, ECHO_CORRELATION_OFFSET, requests))));
      return { samples, cpu: medianMeasured(cpu) };
    } finally {
      conn.close();
    }
  } finally {
    await echo.stop();
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
    console.log(`fetch vs raw 1 MiB reads: ${(fetchVsRawReads * 100).toFixed(0)}%`);
    printLatencyTable(`Produce latency, one request at a time on one connection, median of ${runs} runs of ${LATENCY_REQUESTS.toLocaleString()} (acks=-1: ${DURABLE_LATENCY_REQUESTS.toLocaleString()})`, latency, 'loopback');
    const ingestRatio = raw / acks1.seconds;
    const p99Us = latency[1]!.p99Us;
    const targets = { ingestRatio, ingestRatioMet: ingestRatio >= TARGET_INGEST_RATIO, p99Us, p99Met: p99Us < TARGET_P99_US };
    console.log(
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
