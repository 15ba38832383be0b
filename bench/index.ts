import { runLogBench } from './log-bench.js';

/** `npm run bench`: runs every benchmark and prints its figures. */
const runs = Number(process.env.BENCH_RUNS ?? 5);
const rows = await runLogBench(runs);
if (process.argv.includes('--json')) console.log(JSON.stringify({ log: rows }, null, 2));
