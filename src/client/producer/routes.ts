import type { Cluster, TopicInfo } from '../cluster.js';
import { TidelogError } from '../errors.js';
import { backoffMs, isRetriable } from '../retry.js';

/**
 * Where each partition's batches go: a synchronous snapshot of the cluster's topic metadata
 * (partition count and leader per partition), so the send path and the drain never await for
 * a topic they know. A snapshot is dropped on NOT_LEADER_OR_FOLLOWER and kin (`invalidate`),
 * and refreshed in the background, with backoff while it keeps failing, or when older than
 * metadataMaxAgeMs (the stale one serves meanwhile).
 */

interface Route {
  info: TopicInfo | null;
  /** Its leaders are in doubt: `info` still gives the partition count, not where to send. */
  stale: boolean;
  fetchedAt: number;
  refreshing: Promise<TopicInfo> | null;
  failures: number;
  /** No background refresh before this time (backoff after a failure). */
  nextTryAt: number;
}

export interface RouteOptions {
  maxAgeMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Metadata lookups in `resolve` after the first; the cluster's `retry.retries`. */
  retries: number;
}

export class Routes {
  private readonly routes = new Map<string, Route>();

  constructor(
    private readonly cluster: Cluster,
    private readonly options: RouteOptions,
    /** New metadata arrived (drain), or a refresh should be tried at `at` (ms since the epoch). */
    private readonly wake: (at?: number) => void,
  ) {}

  /** The topic's metadata if known (even stale), without waiting. */
  known(topic: string): TopicInfo | null {
    const route = this.routes.get(topic);
    if (route?.info && Date.now() - route.fetchedAt > this.options.maxAgeMs) this.refresh(topic, route);
    return route?.info ?? null;
  }

  /**
   * The topic's metadata, fetched if unknown, retrying retriable errors (LEADER_NOT_AVAILABLE
   * while a topic is being created, UNKNOWN_TOPIC_OR_PARTITION) `retries` times with backoff,
   * and giving up after `timeoutMs`.
   */
  async resolve(topic: string, timeoutMs: number): Promise<TopicInfo> {
    const known = this.known(topic);
    if (known) return known;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const route = this.route(topic);
      try {
        return await withTimeout(route.refreshing ?? this.refresh(topic, route, true)!, deadline - Date.now(), topic);
      } catch (error) {
        if (!isRetriable(error) || attempt >= this.options.retries) throw error;
        const wait = backoffMs(attempt + 1, this.options);
        if (Date.now() + wait >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** The leader's node id, or undefined while unknown (a refresh is then under way or scheduled). */
  leaderOf(topic: string, partition: number): number | undefined {
    const info = this.known(topic);
    const route = this.route(topic);
    const leader = route.stale ? undefined : info?.partitions[partition]?.leader;
    if (leader !== undefined && leader >= 0) return leader;
    this.refresh(topic, route);
    return undefined;
  }

  /**
   * Distrusts the leaders we know for `topic` (they moved, or the topic vanished) and asks
   * again. The partition count stays known meanwhile, so sends don't wait for the answer.
   */
  invalidate(topic: string): void {
    const route = this.route(topic);
    if (route.refreshing) return;
    route.stale = true;
    this.refresh(topic, route);
  }

  private route(topic: string): Route {
    let route = this.routes.get(topic);
    if (route === undefined) {
      route = { info: null, stale: false, fetchedAt: 0, refreshing: null, failures: 0, nextTryAt: 0 };
      this.routes.set(topic, route);
    }
    return route;
  }

  /** Starts a refresh unless one runs or backoff says wait; `now` ignores the backoff. */
  private refresh(topic: string, route: Route, now = false): Promise<TopicInfo> | null {
    if (route.refreshing) return route.refreshing;
    if (!now && Date.now() < route.nextTryAt) {
      this.wake(route.nextTryAt);
      return null;
    }
    this.cluster.invalidate(topic);
    const pending = this.cluster.topic(topic);
    route.refreshing = pending;
    pending.then(
      (info) => {
        route.refreshing = null;
        route.info = info;
        route.stale = false;
        route.fetchedAt = Date.now();
        route.failures = 0;
        route.nextTryAt = 0;
        this.wake();
      },
      () => {
        route.refreshing = null;
        route.failures++;
        route.nextTryAt = Date.now() + backoffMs(route.failures, this.options);
        this.wake(route.nextTryAt);
      },
    );
    return pending;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, topic: string): Promise<T> {
  if (ms <= 0) return Promise.reject(timeout(topic));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout(topic)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function timeout(topic: string): TidelogError {
  return new TidelogError('REQUEST_TIMED_OUT', `no metadata for topic ${topic} within maxBlockMs`);
}
