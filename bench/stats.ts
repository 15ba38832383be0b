/** Small helpers for benchmarks that print figures: medians over repeated runs, and units. */
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
}

export function printTable(title: string, rows: Row[], baselineName: string): void {
  console.log(`\n${title}`);
  const header = ['workload', 'records/s', 'MB/s', `vs ${baselineName}`];
  const lines = rows.map((r) => [r.name, formatRate(r.recordsPerSecond), r.megabytesPerSecond.toFixed(0), r.ratio === null ? '' : `${(r.ratio * 100).toFixed(0)}%`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(fmt(line));
}
