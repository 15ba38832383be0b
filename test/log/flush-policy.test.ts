import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { resolveTopicConfig } from '../../src/config/index.js';
import { PartitionLog } from '../../src/log/index.js';
import { buildBatch } from '../../src/record/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/** flush.messages and flush.ms: a non-durable append is fsynced (the recovery point moves) when the policy says so. */
describe('flush policy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function openLog(overrides: Record<string, string>, clock?: ManualClock): Promise<PartitionLog> {
    const { dir, cleanup } = await makeTempDir('tidelog-flush-');
    const log = await PartitionLog.open({ dir, config: resolveTopicConfig(overrides), clock });
    cleanups.push(async () => {
      await log.close();
      await cleanup();
    });
    return log;
  }

  const batch = (records: number) => buildBatch(Array.from({ length: records }, (_, i) => ({ value: Buffer.from(`v${i}`) })), { baseTimestamp: 1 });

  it('flushes once flush.messages have been appended, before acknowledging them', async () => {
    const log = await openLog({ 'flush.messages': '5' });
    await log.append(batch(2));
    await log.append(batch(2));
    expect(log.recoveryPoint).toBe(0n);
    await log.append(batch(2));
    expect(log.recoveryPoint).toBe(6n);
    await log.append(batch(1));
    expect(log.recoveryPoint).toBe(6n);
  });

  it('flushes the next append once flush.ms has passed since the last flush', async () => {
    const clock = new ManualClock(1_000);
    const log = await openLog({ 'flush.ms': '60000' }, clock);
    await log.append(batch(1));
    clock.advance(59_999);
    await log.append(batch(1));
    expect(log.recoveryPoint).toBe(0n);
    clock.advance(1);
    await log.append(batch(1));
    expect(log.recoveryPoint).toBe(3n);
  });

  it('flushes on its own timer when appends stop', async () => {
    // A clock that never moves: no append finds the policy due, so only the timer can flush.
    const log = await openLog({ 'flush.ms': '20' }, new ManualClock(1_000));
    await log.append(batch(3));
    for (let i = 0; i < 500 && log.recoveryPoint !== 3n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.recoveryPoint).toBe(3n);
  });

  it('never flushes non-durable appends by default', async () => {
    const log = await openLog({});
    await log.append(batch(4));
    expect(log.recoveryPoint).toBe(0n);
  });
});
