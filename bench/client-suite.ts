import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch } from '../src/record/index.js';
import { echoFrame, loopbackLatency, loopbackStream, rawWrites, startLoopbackPeer } from './baselines.js';
import type { BenchAcks, BenchClient, BenchMessage } from './bench-client.js';
import { withBroker } from './broker-child.js';
import type { Child } from './child-process.js';
import { measured, medianMeasured, type Measured } from './cpu.js';
import { kafkajsClient } from './kafkajs-client.js';
import { makeBatches, VALUE_BYTES } from './log-bench.js';
import { PhaseProfiler } from './profiler.js';
import { startPhase } from './progress.js';
import { RawConnection } from './raw-connection.js';
import { createTopic, deleteTopic, loadTopic, produceRequest } from './raw-kafka.js';
import { latencySummary, median, timed } from './stats.js';
import { printSuiteTable, type SuiteRow } from './suite-report.js';
import { suiteRows, type LatencyRuns, type SuiteMeasurements } from './suite-rows.js';
import { tidelogClient } from './tidelog-client.js';
import { produceAll, sendOneAtATime } from './workloads.js';

/**
 * The client suite of issue 5: our client (src/client) and kafkajs against the same broker
 * build, each workload on a fresh broker process with a fresh one-partition topic, beside
 * what the machine itself does in the same run:
 *
 * - baselines: sequential file writes of the records' bytes, streaming them over loopback TCP
 *   to a sink process, and the round trip of a one-record-produce-sized frame to an echo process;
 * - W1: produce 1,000,000 records of 100 B, acks=1 and acks=all (the broker fsyncs before it
 *   answers acks=all, one fsync per group of concurrent appends), in sends of 5,000 messages
 *   with 4 outstanding;
 * - W2: consume them from the beginning (loaded beforehand in batches of 1,000);
 * - W3: 20,000 single-record produces with acks=1, each awaited.
 *
 * Each figure is the median of `runs` runs after an untimed warm-up (fresh brokers and fresh
 * code run unoptimized at first). kafkajs produces fewer records in W1 (it would take minutes);
 * records/s is the comparable figure. Sizes scale with BENCH_SCALE (or `--quick`), for the test.
 *
 * With a profile directory, each broker runs under `node --cpu-prof` (broker-<phase>.cpuprofile)
 * and this process is profiled per phase (client-<phase>.cpuprofile); see profile-summary.ts.
 */

export interface ClientSuiteOptions {
  runs: number;
  /** Fraction of the full sizes; 1 is the workload. */
  scale: number;
  cpuProfileDir?: string | undefined;
}

export interface ClientSuiteSettings {
  runs: number;
  scale: number;
  records: number;
  kafkajsProduceRecords: number;
  latencySends: number;
  valueBytes: number;
  chunk: number;
  window: number;
}

export interface ClientSuiteResult {
  suite: 'client';
  settings: ClientSuiteSettings;
  rows: SuiteRow[];
}

const WARMUP_FRACTION = 0.3;
const LATENCY_WARMUP_SENDS = 2_000;
const RECORDS_PER_STORED_BATCH = 1_000;

function settingsFor(options: ClientSuiteOptions): ClientSuiteSettings {
  const scaled = (full: number, step: number) => Math.max(step, Math.round((full * options.scale) / step) * step);
  const records = scaled(1_000_000, RECORDS_PER_STORED_BATCH);
  return {
    runs: options.runs,
    scale: options.scale,
    records,
    kafkajsProduceRecords: Math.min(records, scaled(Number(process.env.BENCH_KAFKAJS_RECORDS ?? 200_000), 100)),
    latencySends: scaled(20_000, 100),
    valueBytes: VALUE_BYTES,
    chunk: Math.min(5_000, records),
    window: 4,
  };
}

interface Context {
  root: string;
  settings: ClientSuiteSettings;
  profiler: PhaseProfiler;
  cpuProfileDir: string | undefined;
  message: BenchMessage;
}

async function onFreshBroker<T>(ctx: Context, phase: string, fn: (broker: Child) => Promise<T>): Promise<T> {
  // A group's first join would otherwise wait group.initial.rebalance.delay.ms (3 s) for more members.
  const config = { 'group.initial.rebalance.delay.ms': 0 };
  return withBroker(ctx.root, { phase, cpuProfileDir: ctx.cpuProfileDir, config }, (broker) => ctx.profiler.profile(phase, () => fn(broker)));
}

async function withTopic<T>(port: number, topic: string, fn: () => Promise<T>): Promise<T> {
  const conn = await RawConnection.open(port);
  try {
    await createTopic(conn, topic);
    const result = await fn();
    await deleteTopic(conn, topic);
    return result;
  } finally {
    conn.close();
  }
}

/** W1: produces `records` per run to a fresh topic per run; the median of the runs. */
async function produceThroughput(ctx: Context, client: BenchClient, acks: BenchAcks, records: number): Promise<Measured> {
  const { runs, chunk: chunkSize, window } = ctx.settings;
  const phase = `w1-acks${acks === 1 ? '1' : 'all'}-${client.name}`;
  const warmup = Math.round(records * WARMUP_FRACTION);
  const progress = startPhase(`W1 acks=${acks === 1 ? '1' : 'all'} ${client.name}`, warmup + runs * records, 'records');
  const chunk = Array.from({ length: chunkSize }, () => ctx.message);
  const result = await onFreshBroker(ctx, phase, async (broker) => {
    const once = (topic: string, count: number) =>
      withTopic(broker.port, topic, async () => {
        const producer = await client.producer(broker.port, topic, acks);
        try {
          return await measured(broker.pid, () => produceAll(producer, count, chunk, window, progress.tick));
        } finally {
          await producer.close();
        }
      });
    await once('warmup', warmup);
    const results: Measured[] = [];
    for (let run = 0; run < runs; run++) results.push(await once(`w1-${run}`, records));
    return medianMeasured(results);
  });
  progress.done(`${Math.round(records / result.seconds).toLocaleString()} rec/s`);
  return result;
}

/** W2: reads the topic `batches` filled, from the beginning, with a fresh consumer per run. */
async function consumeThroughput(ctx: Context, client: BenchClient, batches: Buffer[]): Promise<Measured> {
  const { runs, records } = ctx.settings;
  const warmup = Math.round(records * WARMUP_FRACTION);
  const progress = startPhase(`W2 consume ${client.name}`, warmup + runs * records, 'records');
  const result = await onFreshBroker(ctx, `w2-${client.name}`, async (broker) => {
    await loadTopic(broker.port, 'w2', batches);
    const once = async (count: number) => {
      const consumer = await client.consumer(broker.port, 'w2');
      try {
        let seconds = 0;
        const cpu = await measured(broker.pid, async () => void (seconds = await consumer.readAll(count, progress.tick)));
        // The client's own clock leaves out a group join; CPU stays over the whole call.
        return { ...cpu, seconds };
      } finally {
        await consumer.close();
      }
    };
    await once(warmup);
    const results: Measured[] = [];
    for (let run = 0; run < runs; run++) results.push(await once(records));
    return medianMeasured(results);
  });
  progress.done(`${Math.round(records / result.seconds).toLocaleString()} rec/s`);
  return result;
}

/** W3: single awaited sends with acks=1; microsecond samples of every run, and the CPU meanwhile. */
async function produceLatency(ctx: Context, client: BenchClient): Promise<LatencyRuns> {
  const { runs, latencySends } = ctx.settings;
  const warmup = Math.min(LATENCY_WARMUP_SENDS, latencySends);
  const progress = startPhase(`W3 one at a time ${client.name}`, warmup + runs * latencySends, 'sends');
  const result = await onFreshBroker(ctx, `w3-${client.name}`, (broker) =>
    withTopic(broker.port, 'w3', async () => {
      const producer = await client.producer(broker.port, 'w3', 1);
      try {
        await sendOneAtATime(producer, warmup, ctx.message, progress.tick);
        const samples: Float64Array[] = [];
        const cpu: Measured[] = [];
        for (let run = 0; run < runs; run++) cpu.push(await measured(broker.pid, async () => void samples.push(await sendOneAtATime(producer, latencySends, ctx.message, progress.tick))));
        return { samples, cpu: medianMeasured(cpu) };
      } finally {
        await producer.close();
      }
    }),
  );
  progress.done(`p50 ${latencySummary(result.samples).p50Us.toFixed(0)} µs`);
  return result;
}

async function measureBaselines(ctx: Context, batches: Buffer[]): Promise<Pick<SuiteMeasurements, 'fileWriteSeconds' | 'loopbackStream' | 'echo'>> {
  const { runs, latencySends } = ctx.settings;
  const progress = startPhase('baselines (file, loopback)', 3 * runs, 'runs');
  const path = join(ctx.root, 'raw');
  const writes: number[] = [];
  for (let run = 0; run < runs; run++) {
    writes.push(await timed(() => rawWrites(path, batches)));
    await rm(path, { force: true });
    progress.tick(1);
  }
  const peer = await startLoopbackPeer();
  try {
    await loopbackStream(peer, batches);
    const streams: Measured[] = [];
    for (let run = 0; run < runs; run++) {
      streams.push(await measured(peer.pid, async () => void (await loopbackStream(peer, batches))));
      progress.tick(1);
    }
    // A frame the size of W3's produce request: one 100-byte record, the topic name, headers.
    const frameSize = produceRequest('w3', buildBatch([ctx.message]), 1, 0).length;
    const echo = await loopbackLatency(peer, echoFrame(frameSize), runs, latencySends);
    progress.tick(runs);
    progress.done('');
    return { fileWriteSeconds: median(writes), loopbackStream: medianMeasured(streams), echo };
  } finally {
    await peer.stop();
  }
}

export async function runClientSuite(options: ClientSuiteOptions): Promise<ClientSuiteResult> {
  const settings = settingsFor(options);
  const root = await mkdtemp(join(tmpdir(), 'tidelog-client-bench-'));
  const profiler = new PhaseProfiler(options.cpuProfileDir);
  const ctx: Context = { root, settings, profiler, cpuProfileDir: options.cpuProfileDir, message: { value: Buffer.alloc(VALUE_BYTES, 'x') } };
  try {
    const { records, kafkajsProduceRecords } = settings;
    const batches = makeBatches(records, Math.min(RECORDS_PER_STORED_BATCH, records));
    const bytesPerRecord = batches.reduce((sum, b) => sum + b.length, 0) / records;
    const baselines = await measureBaselines(ctx, batches);
    const w1 = {} as SuiteMeasurements['w1'];
    for (const acks of [1, -1] as const) {
      w1[acks] = { tidelog: await produceThroughput(ctx, tidelogClient, acks, records), kafkajs: await produceThroughput(ctx, kafkajsClient, acks, kafkajsProduceRecords) };
    }
    const w2 = { tidelog: await consumeThroughput(ctx, tidelogClient, batches), kafkajs: await consumeThroughput(ctx, kafkajsClient, batches) };
    const w3 = { tidelog: await produceLatency(ctx, tidelogClient), kafkajs: await produceLatency(ctx, kafkajsClient) };
    const rows = suiteRows({ records, kafkajsProduceRecords, latencySends: settings.latencySends, bytesPerRecord, ...baselines, w1, w2, w3 });
    printSuiteTable(
      `Client suite: ${records.toLocaleString()} records of ${VALUE_BYTES} B (${bytesPerRecord.toFixed(1)} B each in record batches), median of ${settings.runs} runs`,
      rows,
      [
        `ratio to baseline: records/s as a share of the baseline's (W1: file writes, W2: loopback stream); latency as a multiple of the loopback echo's (p50 / p99).`,
        `vs kafkajs: how many times kafkajs' throughput, or kafkajs' latency over ours (p50 / p99). kafkajs produces ${kafkajsProduceRecords.toLocaleString()} records per W1 run; records/s compare.`,
        'cores: CPU seconds per second of the broker (the loopback peer for baselines), this process, and the rest of the machine (noise on a shared machine).',
      ],
    );
    return { suite: 'client', settings, rows };
  } finally {
    profiler.close();
    await rm(root, { recursive: true, force: true });
  }
}
