import { expect } from 'vitest';
import { Cluster, GroupMembership, type GroupMembershipOptions, type TopicPartition } from '../../src/client/index.js';

/**
 * Shared by the group tests: members with their own Cluster (their own connection, so one
 * can "crash" alone), a poll loop standing in for the consumer's, and bounded waits.
 */

export interface TestMember {
  membership: GroupMembership;
  cluster: Cluster;
  /** Calls ensureActive every few ms, as a consumer's poll loop would; errors are kept. */
  poll(): void;
  /** Stops polling (not heartbeating). */
  stopPolling(): Promise<void>;
  errors: unknown[];
  /** Leaves (if not yet), stops polling and closes the cluster. */
  dispose(): Promise<void>;
}

const members: TestMember[] = [];

export async function newMember(port: number, options: Omit<GroupMembershipOptions, 'cluster'>): Promise<TestMember> {
  const cluster = await Cluster.connect({ port, clientId: 'group-test', retry: { retries: 8, initialBackoffMs: 20, maxBackoffMs: 200 } });
  const membership = new GroupMembership({ cluster, ...options });
  let polling: { stopped: boolean; done: Promise<void> } | null = null;
  const errors: unknown[] = [];
  const stopPolling = async () => {
    if (polling === null) return;
    polling.stopped = true;
    await polling.done;
    polling = null;
  };
  const member: TestMember = {
    membership,
    cluster,
    errors,
    poll() {
      if (polling !== null) return;
      const state = { stopped: false, done: Promise.resolve() };
      state.done = (async () => {
        for (let i = 0; !state.stopped && i < 20_000; i++) {
          try {
            await membership.ensureActive();
          } catch (error) {
            errors.push(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      polling = state;
    },
    stopPolling,
    async dispose() {
      if (polling) polling.stopped = true;
      await membership.leave();
      await stopPolling();
      await cluster.close();
    },
  };
  members.push(member);
  return member;
}

/** Disposes every member made by newMember (for afterEach). */
export async function disposeMembers(): Promise<void> {
  for (const member of members.splice(0)) await member.dispose();
}

/** Polls `check` every 20 ms for at most `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const key = (p: TopicPartition) => `${p.topic}-${p.partition}`;

/** Every member active in one generation, and their assignments disjoint and covering `expected`. */
export function settledOn(group: readonly GroupMembership[], expected: readonly TopicPartition[]): boolean {
  if (!group.every((m) => m.active)) return false;
  if (new Set(group.map((m) => m.generationId)).size !== 1) return false;
  const all = group.flatMap((m) => m.assignment.map(key));
  return all.length === expected.length && new Set(all).size === all.length && expected.every((p) => all.includes(key(p)));
}

export function expectDisjointComplete(assignments: readonly TopicPartition[][], expected: readonly TopicPartition[]): void {
  const all = assignments.flat().map(key).sort();
  expect(all).toEqual(expected.map(key).sort());
}

export function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/**
 * Broker settings for group tests: rebalances start at once (no initial delay), sessions may
 * be short, topics exist only when a test creates them, and the offsets topic stays small.
 */
export const GROUP_BROKER_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  'auto.create.topics.enable': 'false',
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
  'offsets.topic.num.partitions': '3',
});
