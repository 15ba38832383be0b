import { resolve } from 'node:path';
import { runBrokerBench, type BrokerBenchResult } from './broker-bench.js';
import { runClientSuite, type ClientSuiteResult } from './client-suite.js';
import { runLogBench } from './log-bench.js';
import { sendReportsToStderr, type Row } from './stats.js';

/**
 * `npm run bench`: the client suite (issue 5's workloads, our client against kafkajs, with the
 * machine's baselines); `npm run bench -- log`, `-- broker` or `-- client` runs the named
 * benchmarks instead. Flags:
 *
 * - `--json`: the figures as JSON on stdout, `{ "<name>": ... }` per benchmark run; the tables
 *   then go to stderr with the progress.
 * - `--cpu-prof`: CPU profiles into ./profiles (or BENCH_PROFILE_DIR): every broker process,
 *   and (client suite) this process per phase. `node dist/bench/profile-summary.js <file>`
 *   summarizes one.
 * - `--quick`: the client suite at 1/1000 of its sizes (what its test runs); BENCH_SCALE sets
 *   any fraction.
 *
 * BENCH_RUNS sets the runs each median is taken over (default 3 for the client suite, 5 for
 * the others).
 */
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const known = ['log', 'broker', 'client'];
const unknown = names.filter((n) => !known.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  process.exit(2);
}
const selected = (name: string) => (names.length === 0 ? name === 'client' : names.includes(name));
const json = args.includes('--json');
const runsOr = (fallback: number) => Number(process.env.BENCH_RUNS ?? fallback);
const profileDir = args.includes('--cpu-prof') ? resolve(process.env.BENCH_PROFILE_DIR ?? 'profiles') : undefined;
if (profileDir) process.env.BENCH_BROKER_CPU_PROF ??= profileDir;
if (json) sendReportsToStderr();

const results: { log?: Row[]; broker?: BrokerBenchResult; client?: ClientSuiteResult } = {};
if (selected('log')) results.log = await runLogBench(runsOr(5));
if (selected('broker')) results.broker = await runBrokerBench(runsOr(5));
if (selected('client')) {
  const scale = args.includes('--quick') ? 0.001 : Number(process.env.BENCH_SCALE ?? 1);
  results.client = await runClientSuite({ runs: runsOr(3), scale, cpuProfileDir: profileDir });
}
if (json) console.log(JSON.stringify(results, null, 2));
if (profileDir) process.stderr.write(`profiles in ${profileDir}\n`);
