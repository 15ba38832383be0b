import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ScanResult } from './scan.js';
import type { ScanTask } from './scan-worker.js';

/**
 * One worker pool per process for verifying segments at recovery, so that opening many
 * partitions after a crash spreads CRC work over the cores and keeps the event loop free.
 * Idle workers exit and never keep the process alive.
 */
let pool: Piscina | null = null;

function workerUrl(): { filename: string; execArgv: string[] } {
  // Run from source (tests, tsx) the worker is TypeScript too and needs the same loader.
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(`./scan-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  return { filename, execArgv: fromSource ? ['--import', 'tsx'] : [] };
}

export function scanInWorker(task: ScanTask): Promise<ScanResult> {
  pool ??= new Piscina({ ...workerUrl(), minThreads: 0, maxThreads: availableParallelism(), idleTimeout: 2_000 });
  return pool.run(task) as Promise<ScanResult>;
}

export async function closeScanPool(): Promise<void> {
  const current = pool;
  pool = null;
  await current?.destroy();
}
