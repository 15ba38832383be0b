import type { Measured } from './cpu.js';
import { formatRate, report } from './stats.js';

/**
 * The client suite's one table, and the same rows as JSON. A row is a throughput figure
 * (records/s and MB/s) or a latency figure (p50/p99/p99.9 µs), with ratios to the machine's
 * own baseline and to kafkajs measured in the same run, and the targets.
 */

export interface Target {
  /** e.g. "≥ 2 M records/s". */
  name: string;
  met: boolean;
}

export interface CoresUsed {
  /** CPU seconds per wall second of the server process (broker, or the loopback peer), this process, and the rest of the machine (noise). */
  server: number | null;
  client: number;
  other: number | null;
}

interface RowBase {
  /** What was measured: a baseline ("file writes", ...) or a workload ("W1 produce acks=1", ...). */
  workload: string;
  /** "machine" (a baseline), "tidelog" or "kafkajs". */
  client: string;
  /** Records (or round trips) per run. */
  records: number;
  /** The baseline row this one is compared with, by its `workload`. */
  baseline: string | null;
  targets: Target[];
  cores: CoresUsed | null;
  /** CPU microseconds per record (or round trip) of the server process and of this process: the cost each side would have to shed. */
  cpuUsPerOp: { server: number | null; client: number } | null;
}

export interface ThroughputRow extends RowBase {
  kind: 'throughput';
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** recordsPerSecond / the baseline's (1 = as fast as the machine's floor). */
  ratioToBaseline: number | null;
  /** Ours: recordsPerSecond / kafkajs' on the same workload. */
  timesKafkajs: number | null;
}

export interface LatencyRow extends RowBase {
  kind: 'latency';
  p50Us: number;
  p99Us: number;
  p999Us: number;
  /** p50 and p99 / the baseline's (1 = as fast as a loopback echo). */
  p50RatioToBaseline: number | null;
  p99RatioToBaseline: number | null;
  /** Ours: kafkajs' p50 and p99 / ours (2 = half kafkajs' latency). */
  p50TimesKafkajs: number | null;
  p99TimesKafkajs: number | null;
}

export type SuiteRow = ThroughputRow | LatencyRow;

export function cpuUsPerOp(cpu: Measured, ops: number): { server: number | null; client: number } {
  return { server: cpu.brokerCpu === null ? null : (cpu.brokerCpu / ops) * 1e6, client: (cpu.clientCpu / ops) * 1e6 };
}

export function coresUsed(cpu: Measured): CoresUsed {
  return {
    server: cpu.brokerCpu === null ? null : cpu.brokerCpu / cpu.seconds,
    client: cpu.clientCpu / cpu.seconds,
    other: cpu.otherCpu === null ? null : cpu.otherCpu / cpu.seconds,
  };
}

const times = (x: number | null) => (x === null ? '' : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`);
const percent = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`);
const cores = (c: number | null) => (c === null ? '?' : c.toFixed(2));

function cells(row: SuiteRow): string[] {
  const met = row.targets.map((t) => (t.met ? 'yes' : 'NO')).join(', ');
  const target = row.targets.map((t) => t.name).join(', ');
  const cpu = row.cores ? `${cores(row.cores.server)} / ${cores(row.cores.client)} / ${cores(row.cores.other)}` : '';
  if (row.kind === 'throughput') {
    return [row.workload, row.client, `${formatRate(row.recordsPerSecond)} rec/s`, row.megabytesPerSecond.toFixed(0), percent(row.ratioToBaseline), times(row.timesKafkajs), target, met, cpu];
  }
  const latency = `p50 ${row.p50Us.toFixed(0)} / p99 ${row.p99Us.toFixed(0)} / p99.9 ${row.p999Us.toFixed(0)} µs`;
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? '' : `${times(a)} / ${times(b)}`);
  return [row.workload, row.client, latency, '', ratio(row.p50RatioToBaseline, row.p99RatioToBaseline), ratio(row.p50TimesKafkajs, row.p99TimesKafkajs), target, met, cpu];
}

export function printSuiteTable(title: string, rows: SuiteRow[], notes: string[]): void {
  const header = ['workload', 'client', 'records/s or latency', 'MB/s', 'ratio to baseline', 'vs kafkajs', 'target', 'met?', 'CPU broker / client / other'];
  const lines = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (line: string[]) => line.map((c, i) => (i <= 1 || i >= 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  report(`\n${title}`);
  report(fmt(header));
  report(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) report(fmt(line));
  for (const note of notes) report(note);
}
