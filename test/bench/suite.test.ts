import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../bench/profile-summary.js';
import type { ClientSuiteResult } from '../../bench/client-suite.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * The client suite end to end at 1/1000 of its sizes (`--quick`: 1,000 records, 100 sends),
 * one run, from source under tsx, with `--json` and `--cpu-prof`: every row of the table is
 * there with its figures, stdout is nothing but the JSON, and every broker and phase left a
 * profile that profile-summary can read. No figure is compared with a time: only that it was
 * measured at all, so the suite cannot rot unnoticed.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

let profiles: { dir: string; cleanup: () => Promise<void> };
let result: ClientSuiteResult;
let stderr: string;

beforeAll(async () => {
  profiles = await makeTempDir('tidelog-bench-profiles-');
  const out = await run(process.execPath, ['--import', 'tsx', 'bench/index.ts', 'client', '--quick', '--json', '--cpu-prof'], {
    cwd: REPO,
    env: { ...process.env, BENCH_RUNS: '1', BENCH_PROFILE_DIR: profiles.dir },
    timeout: 50_000,
    maxBuffer: 16 << 20,
  });
  stderr = out.stderr;
  result = (JSON.parse(out.stdout) as { client: ClientSuiteResult }).client;
}, 60_000);

afterAll(async () => {
  await profiles?.cleanup();
});

const EXPECTED_ROWS = [
  ['baseline: file writes', 'machine'],
  ['baseline: loopback stream', 'machine'],
  ['baseline: loopback echo', 'machine'],
  ['W1 produce acks=1', 'tidelog'],
  ['W1 produce acks=1', 'kafkajs'],
  ['W1 produce acks=all (fsync)', 'tidelog'],
  ['W1 produce acks=all (fsync)', 'kafkajs'],
  ['W2 consume', 'tidelog'],
  ['W2 consume', 'kafkajs'],
  ['W3 one at a time acks=1', 'tidelog'],
  ['W3 one at a time acks=1', 'kafkajs'],
];

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('npm run bench -- client --quick --json --cpu-prof', () => {
  it('reports every workload for both clients and the baselines', () => {
    expect(result.settings).toMatchObject({ runs: 1, records: 1_000 });
    expect(result.rows.map((r) => [r.workload, r.client])).toEqual(EXPECTED_ROWS);
  });

  it('gives each row positive figures, ratios where it has a baseline or a kafkajs peer, and targets for ours', () => {
    for (const row of result.rows) {
      const where = `${row.workload} / ${row.client}`;
      expect(positive(row.records), where).toBe(true);
      if (row.kind === 'throughput') {
        expect([row.recordsPerSecond, row.megabytesPerSecond].every(positive), where).toBe(true);
        if (row.baseline !== null) expect(positive(row.ratioToBaseline), where).toBe(true);
        if (row.client === 'tidelog') expect(positive(row.timesKafkajs), where).toBe(true);
      } else {
        expect([row.p50Us, row.p99Us, row.p999Us].every(positive), where).toBe(true);
        expect(row.p50Us <= row.p99Us && row.p99Us <= row.p999Us, where).toBe(true);
        if (row.baseline !== null) expect([row.p50RatioToBaseline, row.p99RatioToBaseline].every(positive), where).toBe(true);
        if (row.client === 'tidelog') expect([row.p50TimesKafkajs, row.p99TimesKafkajs].every(positive), where).toBe(true);
      }
      if (row.client === 'tidelog') {
        expect(row.targets.length, where).toBeGreaterThan(0);
        for (const target of row.targets) expect(typeof target.met, where).toBe('boolean');
      }
      if (row.cores) expect(positive(row.cores.client), where).toBe(true);
      if (row.cpuUsPerOp) expect(positive(row.cpuUsPerOp.client), where).toBe(true);
    }
  });

  it('leaves a profile of every broker and of every phase of this process, which profile-summary reads', async () => {
    const files = (await readdir(profiles.dir)).sort();
    const phases = ['w1-acks1-kafkajs', 'w1-acks1-tidelog', 'w1-acksall-kafkajs', 'w1-acksall-tidelog', 'w2-kafkajs', 'w2-tidelog', 'w3-kafkajs', 'w3-tidelog'];
    expect(files).toEqual([...phases.map((p) => `broker-${p}.cpuprofile`), ...phases.map((p) => `client-${p}.cpuprofile`)]);
    const summary = summarize(JSON.parse(await readFile(join(profiles.dir, 'client-w1-acks1-tidelog.cpuprofile'), 'utf8')));
    expect(summary.totalMs).toBeGreaterThan(0);
    expect(summary.functions.length).toBeGreaterThan(0);
    expect(stderr).toContain('profiles in');
  });
});
