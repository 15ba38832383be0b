import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnListening, type Child } from './child-process.js';

/**
 * A Tidelog broker in its own process, so that its CPU is not the benchmark's: this build's
 * CLI on a free loopback port with its own data directory. From dist/ (`npm run bench`) that
 * is dist/src/cli/main.js; from source (the suite's test, under tsx) src/cli/main.ts under tsx.
 *
 * Environment: BENCH_BROKER_MAIN runs another build's dist/src/cli/main.js (to compare builds);
 * BENCH_BROKER_NODE_FLAGS adds node flags (e.g. `--trace-gc`).
 */
const BUILT_MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SOURCE_MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function brokerEntry(): string[] {
  if (process.env.BENCH_BROKER_MAIN) return [process.env.BENCH_BROKER_MAIN];
  if (existsSync(BUILT_MAIN)) return [BUILT_MAIN];
  return ['--import', 'tsx', SOURCE_MAIN];
}

export interface BrokerOptions {
  dataDir: string;
  /** Names the broker in messages and its profile file. */
  phase: string;
  /** Run it under `node --cpu-prof`, leaving `broker-<phase>.cpuprofile` here when it stops. */
  cpuProfileDir?: string | undefined;
  /** server.properties settings (Kafka's names), e.g. { 'group.initial.rebalance.delay.ms': 0 }. */
  config?: Record<string, string | number>;
}

export async function startBroker(options: BrokerOptions): Promise<Child> {
  const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=broker-${options.phase}.cpuprofile`] : [];
  nodeFlags.push(...(process.env.BENCH_BROKER_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  const args = ['--port', '0', '--data-dir', options.dataDir, '--log-level', 'warn'];
  if (options.config) {
    // Beside the data directory, not in it: the broker owns what is inside.
    const file = `${options.dataDir}.properties`;
    await writeFile(file, Object.entries(options.config).map(([key, value]) => `${key}=${value}\n`).join(''));
    args.push('--config', file);
  }
  return spawnListening(`broker (${options.phase})`, [...nodeFlags, ...brokerEntry(), ...args], /Tidelog broker listening on [^:\s]+:(\d+)/);
}

/** Runs `fn` against a fresh broker in `root/broker-<phase>`, then stops it and removes its data. */
export async function withBroker<T>(root: string, options: Omit<BrokerOptions, 'dataDir'>, fn: (broker: Child) => Promise<T>): Promise<T> {
  const dataDir = join(root, `broker-${options.phase}`);
  const broker = await startBroker({ ...options, dataDir });
  try {
    return await fn(broker);
  } finally {
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.properties`, { force: true });
  }
}
