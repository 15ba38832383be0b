import { createHook } from 'node:async_hooks';
import { readdir } from 'node:fs/promises';
import { afterEach, expect } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import { resolveBrokerConfig } from '../../src/config/index.js';
import { TopicManager, type TopicManagerOptions } from '../../src/partition/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * A temp data dir per test and the managers opened over it, all closed and removed after
 * the test. `open` takes broker settings by Kafka name.
 */
export function useDataDir() {
  const state = { dir: '', cleanup: async () => {}, managers: [] as TopicManager[], warnings: [] as string[] };
  afterEach(async () => {
    for (const manager of state.managers.splice(0)) await manager.close();
    await state.cleanup();
  });
  return {
    get dir() {
      return state.dir;
    },
    warnings: state.warnings,
    async open(settings: Record<string, string> = {}, options: Partial<TopicManagerOptions> = {}): Promise<TopicManager> {
      if (!state.dir) ({ dir: state.dir, cleanup: state.cleanup } = await makeTempDir('tidelog-partition-'));
      const manager = await TopicManager.open({
        dataDir: state.dir,
        broker: resolveBrokerConfig(settings),
        onWarning: (message) => state.warnings.push(message),
        ...options,
      });
      state.managers.push(manager);
      return manager;
    },
    async entries(): Promise<string[]> {
      return (await readdir(state.dir)).sort();
    },
  };
}

/** Expects `promise` (or `fn`'s throw) to fail with a TidelogError of `code`; returns its message. */
export async function failsWith(promise: Promise<unknown> | (() => unknown), code: string): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(isTidelogError(error), `expected a TidelogError, got ${String(error)}`).toBe(true);
    expect((error as { code: string }).code, (error as Error).message).toBe(code);
    return (error as Error).message;
  }
  throw new Error(`expected a failure with ${code}`);
}

/**
 * Counts the live timers (setTimeout/setInterval not yet fired or cleared) created from
 * source files whose path contains `fragment`, through async_hooks: a leak check that
 * other timers of the process cannot disturb.
 */
export function trackTimers(fragment: string): { live(): Promise<number>; stop(): void } {
  const live = new Set<number>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout' && new Error().stack?.includes(fragment)) live.add(asyncId);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  // Node reports destroyed resources in a batch after the current tick.
  const settled = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
  return { live: async () => (await settled(), live.size), stop: () => hook.disable() };
}
