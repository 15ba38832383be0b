import { runBrokerBench, type BrokerBenchResult } from './broker-bench.js';
import { runLogBench } from './log-bench.js';
import type { Row } from './stats.js';

/**
 * `npm run bench`: runs every benchmark and prints its figures; `npm run bench -- log` or
 * `-- broker` runs one, `--json` also prints the figures as JSON. BENCH_RUNS sets the runs
 * each median is taken over.
 */
const runs = Number(process.env.BENCH_RUNS ?? 5);
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const selected = (name: string) => names.length === 0 || names.includes(name);
const results: { log?: Row[]; broker?: BrokerBenchResult } = {};
if (selected('log')) results.log = await runLogBench(runs);
if (selected('broker')) results.broker = await runBrokerBench(runs);
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
