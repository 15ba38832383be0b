import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTopicConfig } from '../../src/config/index.js';
import { PartitionLog } from '../../src/log/index.js';
import { expectedStream, makeBatch } from '../helpers/batches.js';
import { readAllBatches } from '../helpers/log-fixtures.js';
import { makeTempDir } from '../helpers/tmp-dir.js';
import { CHILD_CONFIG } from './child-config.js';

/**
 * A real process appending to a real log is killed with SIGKILL at an arbitrary moment
 * (mid-write, mid-fsync, mid-roll: wherever it happens to be). The kernel keeps what was
 * written, so every append the child acknowledged, acks=1 or durable, must be there after
 * recovery, byte for byte, and the log must carry on from its end. Three rounds on the
 * same directory, each recovering what the previous kill left.
 */

const CHILD = fileURLToPath(new URL('./appender-child.ts', import.meta.url));
const MAX_WAIT_MS = 15_000;

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('tidelog-kill9-');
});
afterAll(async () => {
  await tmp.cleanup();
});

interface ChildRun {
  acked: Map<number, bigint>;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
  ready: boolean;
}

/** Runs the child until it has acknowledged `killAfter` appends (or MAX_WAIT_MS passed), then SIGKILLs it by PID. */
function runChild(dir: string, startSeq: number, killAfter: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(startSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { acked: new Map(), signal: null, code: null, stderr: '', ready: false };
    let pending = '';
    let killed = false;
    const kill = () => {
      if (killed || child.pid === undefined) return;
      killed = true;
      process.kill(child.pid, 'SIGKILL');
    };
    const timer = setTimeout(kill, MAX_WAIT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, seq, offset] = line.split(' ');
        if (kind === 'ready') run.ready = true;
        if (kind === 'ack') run.acked.set(Number(seq), BigInt(offset!));
      }
      if (run.acked.size >= killAfter) kill();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (run.stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

describe('kill -9 of a process appending to the log', () => {
  it('loses no acknowledged append, over three kills', async () => {
    const config = resolveTopicConfig(CHILD_CONFIG);
    let startSeq = 0;
    for (let round = 0; round < 3; round++) {
      const run = await runChild(tmp.dir, startSeq, 250 + 150 * round);
      expect(run.stderr).toBe('');
      expect(run.ready).toBe(true);
      expect(run.signal).toBe('SIGKILL');
      expect(run.acked.size).toBeGreaterThan(0);
      const maxAcked = Math.max(...run.acked.keys());
      const stream = expectedStream(maxAcked + 64);
      // Every acknowledgement carried the offset the deterministic stream says.
      for (const [seq, offset] of run.acked) expect(offset).toBe(stream[seq]!.baseOffset);

      const log = await PartitionLog.open({ dir: tmp.dir, config, scanPlacement: 'never' });
      try {
        expect(log.recoveryReport.cleanShutdown).toBe(false);
        const served = await readAllBatches(log);
        // Every acknowledged batch, and at most the window of unacknowledged ones after them.
        expect(served.length).toBeGreaterThan(maxAcked);
        expect(served.length).toBeLessThan(stream.length);
        served.forEach((bytes, i) => {
          if (!bytes.equals(stream[i]!.bytes)) throw new Error(`round ${round}: batch ${i} differs from what was appended`);
        });
        const next = await log.append(makeBatch(served.length), { durable: true });
        expect(next.baseOffset).toBe(stream[served.length - 1]!.lastOffset + 1n);
        startSeq = served.length + 1;
      } finally {
        await log.close();
      }
      expect(log.segmentInfos().length).toBeGreaterThan(round); // it rolled along the way
    }
  });
});
