import { afterEach } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { resolveBrokerConfig } from '../../src/config/index.js';
import type { FileSystem } from '../../src/log/index.js';
import {
  GroupCoordinator,
  ManualScheduler,
  TopicManager,
  type GroupCoordinatorOptions,
  type JoinGroupParams,
  type SyncGroupParams,
} from '../../src/partition/index.js';
import { makeScratchDir } from '../helpers/scratch-dir.js';

export const NOW = 1_700_000_000_000;
export const SESSION_MS = 10_000;
export const REBALANCE_MS = 30_000;

/** The settings group tests start from: no initial delay, few offsets partitions. */
export const GROUP_SETTINGS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'offsets.topic.num.partitions': '3',
};

export interface CoordinatorHarness {
  dir: string;
  clock: ManualClock;
  scheduler: ManualScheduler;
  topics: TopicManager;
  coordinator: GroupCoordinator;
  warnings: string[];
}

/**
 * A data dir (on tmpfs when there is one) and coordinators over it, each with its own
 * TopicManager, all driven by one ManualClock through a ManualScheduler. Everything is
 * closed and removed after each test. `open` reopens over the same dir: a restart.
 */
export function useCoordinators() {
  const state = { dir: '', cleanup: async () => {}, open: [] as CoordinatorHarness[], clock: new ManualClock(NOW) };
  afterEach(async () => {
    for (const h of state.open.splice(0)) {
      await h.coordinator.close().catch(() => {});
      await h.topics.close().catch(() => {});
    }
    await state.cleanup();
    state.dir = '';
    state.clock = new ManualClock(NOW);
  });
  return {
    get dir() {
      return state.dir;
    },
    get clock() {
      return state.clock;
    },
    async open(settings: Record<string, string> = {}, options: Partial<GroupCoordinatorOptions> & { fs?: FileSystem } = {}): Promise<CoordinatorHarness> {
      if (!state.dir) ({ dir: state.dir, cleanup: state.cleanup } = await makeScratchDir('tidelog-groups-'));
      const warnings: string[] = [];
      const config = resolveBrokerConfig({ ...GROUP_SETTINGS, ...settings });
      const clock = state.clock;
      const scheduler = new ManualScheduler(clock);
      const topics = await TopicManager.open({ dataDir: state.dir, broker: config, clock, fs: options.fs, onWarning: (m) => warnings.push(m) });
      const coordinator = new GroupCoordinator({ topics, config, clock, scheduler, onWarning: (m, cause) => warnings.push(`${m}${cause ? `: ${(cause as Error).message}` : ''}`), ...options });
      await coordinator.start();
      const harness = { dir: state.dir, clock, scheduler, topics, coordinator, warnings };
      state.open.push(harness);
      return harness;
    },
    /** Closes a harness cleanly (a graceful restart follows with `open`). */
    async close(h: CoordinatorHarness): Promise<void> {
      state.open.splice(state.open.indexOf(h), 1);
      await h.coordinator.close();
      await h.topics.close();
    },
    /** Forgets a harness without closing it (after a simulated crash). */
    abandon(h: CoordinatorHarness): void {
      state.open.splice(state.open.indexOf(h), 1);
    },
  };
}

export function protocols(...names: string[]): JoinGroupParams['protocols'] {
  return (names.length > 0 ? names : ['range']).map((name) => ({ name, metadata: Buffer.from(`meta-${name}`) }));
}

/** A JoinGroup as kafkajs sends it, changed by `overrides`. */
export function joinParams(groupId: string, overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: protocols(),
    requireKnownMemberId: false,
    ...overrides,
  };
}

export function syncParams(groupId: string, generationId: number, memberId: string, assignments: Record<string, string> = {}, overrides: Partial<SyncGroupParams> = {}): SyncGroupParams {
  return {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
    ...overrides,
  };
}

/** Whether a promise has settled, without waiting for it (after letting microtasks run). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}
