import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import { disposeMembers, newMember } from './group-helpers.js';

/** After leave() and closing its cluster, a member leaves nothing behind that keeps the process alive. */

const CHILD = fileURLToPath(new URL('./group-exit-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXIT_BOUND_MS = 30_000;

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' });
  await createTopics(await broker.connect(), [{ name: 'exits', partitions: 2 }]);
});
afterEach(async () => {
  await disposeMembers();
});
afterAll(async () => {
  await broker.stop();
});

/** Runs the child; resolves with its exit code and output, or kills it (by PID) if it outlives the bound. */
function runChild(groupId: string, mode: 'simple' | 'parked'): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(broker.broker.port), groupId, 'exits', mode], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, EXIT_BOUND_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

describe('leaving lets the process exit', () => {
  it('after a join', async () => {
    const result = await runChild('exit-simple', 'simple');
    expect(result).toMatchObject({ killed: false, code: 0, stderr: '' });
    expect(result.stdout).toBe('joined with 2\nleft\n');
  });

  it('while its JoinGroup is parked in the broker, waiting for another member', async () => {
    const holder = await newMember(broker.broker.port, { groupId: 'exit-parked', topics: ['exits'], sessionTimeoutMs: 30_000, heartbeatIntervalMs: 20_000, rebalanceTimeoutMs: 60_000 });
    await holder.membership.join();
    const result = await runChild('exit-parked', 'parked');
    expect(result).toMatchObject({ killed: false, code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^parked\n(join ended: .*\n)?left\n(join ended: .*\n)?$/);
  });
});
