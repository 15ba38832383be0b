import type { Measured } from './cpu.js';
import { formatRate, latencySummary } from './stats.js';
import { coresUsed, cpuUsPerOp, type LatencyRow, type SuiteRow, type Target, type ThroughputRow } from './suite-report.js';

/**
 * The client suite's measurements turned into its table's rows: rates, ratios to the
 * baselines and to kafkajs, and issue 5's targets for our client on this 2-core machine.
 */
export const TARGETS = { w1Acks1: 2_000_000, w1AcksAll: 1_000_000, w2: 4_000_000, w3P50Us: 50, w3P99Us: 150, w1TimesKafkajs: 10 };

export interface LatencyRuns {
  /** Microseconds per operation, one array per run. */
  samples: Float64Array[];
  cpu: Measured;
}

export interface SuiteMeasurements {
  records: number;
  kafkajsProduceRecords: number;
  latencySends: number;
  /** Bytes a record takes in the record batches (the 100-byte value and its framing). */
  bytesPerRecord: number;
  fileWriteSeconds: number;
  loopbackStream: Measured;
  echo: LatencyRuns;
  /** By acks (1, -1). */
  w1: Record<1 | -1, { tidelog: Measured; kafkajs: Measured }>;
  w2: { tidelog: Measured; kafkajs: Measured };
  w3: { tidelog: LatencyRuns; kafkajs: LatencyRuns };
}

const FILE_WRITES = 'baseline: file writes';
const STREAM = 'baseline: loopback stream';
const ECHO = 'baseline: loopback echo';

function atLeast(recordsPerSecond: number, target: number): Target {
  return { name: `≥ ${formatRate(target)} rec/s`, met: recordsPerSecond >= target };
}

export function suiteRows(m: SuiteMeasurements): SuiteRow[] {
  const throughput = (workload: string, client: string, records: number, cpu: Measured, baseline: { name: string; recordsPerSecond: number } | null): ThroughputRow => ({
    kind: 'throughput',
    workload,
    client,
    records,
    recordsPerSecond: records / cpu.seconds,
    megabytesPerSecond: (records * m.bytesPerRecord) / cpu.seconds / 1e6,
    baseline: baseline?.name ?? null,
    ratioToBaseline: baseline === null ? null : records / cpu.seconds / baseline.recordsPerSecond,
    timesKafkajs: null,
    targets: [],
    cores: coresUsed(cpu),
    cpuUsPerOp: cpuUsPerOp(cpu, records),
  });
  const echo = latencySummary(m.echo.samples);
  const latency = (workload: string, client: string, runs: LatencyRuns, baseline: boolean): LatencyRow => {
    const figures = latencySummary(runs.samples);
    return {
      kind: 'latency',
      workload,
      client,
      records: m.latencySends,
      ...figures,
      baseline: baseline ? ECHO : null,
      p50RatioToBaseline: baseline ? figures.p50Us / echo.p50Us : null,
      p99RatioToBaseline: baseline ? figures.p99Us / echo.p99Us : null,
      p50TimesKafkajs: null,
      p99TimesKafkajs: null,
      targets: [],
      cores: coresUsed(runs.cpu),
      cpuUsPerOp: cpuUsPerOp(runs.cpu, m.latencySends),
    };
  };

  const fileWrites = { ...throughput(FILE_WRITES, 'machine', m.records, { seconds: m.fileWriteSeconds, brokerCpu: null, clientCpu: 0, otherCpu: null }, null), cores: null, cpuUsPerOp: null };
  const stream = throughput(STREAM, 'machine', m.records, m.loopbackStream, null);
  const rows: SuiteRow[] = [fileWrites, stream, latency(ECHO, 'machine', m.echo, false)];

  for (const acks of [1, -1] as const) {
    const workload = `W1 produce ${acks === 1 ? 'acks=1' : 'acks=all (fsync)'}`;
    const ours = throughput(workload, 'tidelog', m.records, m.w1[acks].tidelog, { name: FILE_WRITES, recordsPerSecond: fileWrites.recordsPerSecond });
    const kafkajs = throughput(workload, 'kafkajs', m.kafkajsProduceRecords, m.w1[acks].kafkajs, { name: FILE_WRITES, recordsPerSecond: fileWrites.recordsPerSecond });
    ours.timesKafkajs = ours.recordsPerSecond / kafkajs.recordsPerSecond;
    ours.targets = [atLeast(ours.recordsPerSecond, acks === 1 ? TARGETS.w1Acks1 : TARGETS.w1AcksAll), { name: `≥ ${TARGETS.w1TimesKafkajs}× kafkajs`, met: ours.timesKafkajs >= TARGETS.w1TimesKafkajs }];
    rows.push(ours, kafkajs);
  }

  const w2 = { name: STREAM, recordsPerSecond: stream.recordsPerSecond };
  const w2Ours = throughput('W2 consume', 'tidelog', m.records, m.w2.tidelog, w2);
  const w2Kafkajs = throughput('W2 consume', 'kafkajs', m.records, m.w2.kafkajs, w2);
  w2Ours.timesKafkajs = w2Ours.recordsPerSecond / w2Kafkajs.recordsPerSecond;
  w2Ours.targets = [atLeast(w2Ours.recordsPerSecond, TARGETS.w2)];
  rows.push(w2Ours, w2Kafkajs);

  const w3Ours = latency('W3 one at a time acks=1', 'tidelog', m.w3.tidelog, true);
  const w3Kafkajs = latency('W3 one at a time acks=1', 'kafkajs', m.w3.kafkajs, true);
  w3Ours.p50TimesKafkajs = w3Kafkajs.p50Us / w3Ours.p50Us;
  w3Ours.p99TimesKafkajs = w3Kafkajs.p99Us / w3Ours.p99Us;
  w3Ours.targets = [
    { name: `p50 ≤ ${TARGETS.w3P50Us} µs`, met: w3Ours.p50Us <= TARGETS.w3P50Us },
    { name: `p99 ≤ ${TARGETS.w3P99Us} µs`, met: w3Ours.p99Us <= TARGETS.w3P99Us },
  ];
  rows.push(w3Ours, w3Kafkajs);
  return rows;
}
