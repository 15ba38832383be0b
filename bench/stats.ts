/** Small helpers for benchmarks that print figures: medians over repeated runs, units, tables. */

let reportStream: NodeJS.WritableStream = process.stdout;

/** Prints a line of a report: on stdout, unless `--json` keeps stdout for the JSON (then on stderr). */
export function report(line = ''): void {
  reportStream.write(`${line}\n`);
}

export function sendReportsToStderr(): void {
  reportStream = process.stderr;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `fn` `runs` times, each between an untimed `setup` and `teardown`, and returns the median seconds. */
export async function medianSeconds<T>(runs: number, fn: (context: T) => Promise<void>, setup?: () => Promise<T>, teardown?: (context: T) => Promise<void>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const context = (await setup?.()) as T;
    seconds.push(await timed(() => fn(context)));
    await teardown?.(context);
  }
  return median(seconds);
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

export interface Row {
  name: string;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** Against the baseline measured in the same run. */
  ratio: number | null;
  /**
   * Cores busy on average (CPU seconds / wall seconds), when measured: a server process (all
   * its threads), the load generator, and everything else on the machine (noise).
   */
  serverCores?: number | null;
  clientCores?: number | null;
  otherCores?: number | null;
}

const cores = (c: number | null | undefined) => (c == null ? '' : c.toFixed(2));

export function printTable(title: string, rows: Row[], baselineName: string): void {
  report(`\n${title}`);
  const withCpu = rows.some((r) => r.serverCores != null || r.clientCores != null);
  const header = ['workload', 'records/s', 'MB/s', `vs ${baselineName}`, ...(withCpu ? ['server cores', 'client cores', 'other cores'] : [])];
  const lines = rows.map((r) => [
    r.name,
    formatRate(r.recordsPerSecond),
    r.megabytesPerSecond.toFixed(0),
    r.ratio === null ? '' : `${(r.ratio * 100).toFixed(0)}%`,
    ...(withCpu ? [cores(r.serverCores), cores(r.clientCores), cores(r.otherCores)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  report(fmt(header));
  report(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) report(fmt(line));
}

/** The nearest-rank percentile (`p` in [0, 100]) of values already sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencyRow {
  name: string;
  /** Requests timed per run. */
  requests: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  /** p50 and p99 against the baseline's, measured in the same run (1 = as fast as the baseline). */
  p50Ratio: number | null;
  p99Ratio: number | null;
  /** CPU microseconds per request, when measured: the server process (all threads), and the load generator. */
  serverCpuUsPerRequest?: number | null;
  clientCpuUsPerRequest?: number | null;
  /** Cores busy with anything else on the machine meanwhile (noise). */
  otherCores?: number | null;
}

/** The medians over runs of each percentile of per-request latencies (microseconds). */
export function latencySummary(runs: Float64Array[]): { p50Us: number; p99Us: number; p999Us: number } {
  const sorted = runs.map((samples) => Float64Array.from(samples).sort());
  return {
    p50Us: median(sorted.map((s) => percentile(s, 50))),
    p99Us: median(sorted.map((s) => percentile(s, 99))),
    p999Us: median(sorted.map((s) => percentile(s, 99.9))),
  };
}

export function printLatencyTable(title: string, rows: LatencyRow[], baselineName: string): void {
  report(`\n${title}`);
  const withCpu = rows.some((r) => r.serverCpuUsPerRequest != null || r.clientCpuUsPerRequest != null);
  const header = ['workload', 'p50 µs', 'p99 µs', 'p99.9 µs', `p50 vs ${baselineName}`, `p99 vs ${baselineName}`, ...(withCpu ? ['server CPU µs/req', 'client CPU µs/req', 'other cores'] : [])];
  const times = (r: number | null) => (r === null ? '' : `${r.toFixed(1)}×`);
  const micros = (c: number | null | undefined) => (c == null ? '' : c.toFixed(0));
  const lines = rows.map((r) => [
    r.name,
    r.p50Us.toFixed(0),
    r.p99Us.toFixed(0),
    r.p999Us.toFixed(0),
    times(r.p50Ratio),
    times(r.p99Ratio),
    ...(withCpu ? [micros(r.serverCpuUsPerRequest), micros(r.clientCpuUsPerRequest), cores(r.otherCores)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  report(fmt(header));
  report(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) report(fmt(line));
}
