import { isTidelogError, TidelogError } from './errors.js';

/**
 * Retries with exponential backoff and full jitter, the shape Kafka's clients use
 * (retry.backoff.ms doubling up to retry.backoff.max.ms, KIP-580). Only errors that say they
 * are retriable are retried: a TidelogError with `retriable` set. Anything else, and the last
 * failure once attempts run out, is thrown as is.
 */
export interface RetryOptions {
  /** Attempts after the first; default 5. */
  retries?: number;
  /** First backoff; default 100 ms (retry.backoff.ms). */
  initialBackoffMs?: number;
  /** Backoff ceiling; default 1000 ms (retry.backoff.max.ms). */
  maxBackoffMs?: number;
}

export interface RetryContext {
  /** 0 for the first try. */
  attempt: number;
  /** The error that caused this retry (undefined on the first try). */
  lastError: unknown;
}

export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({ retries: 5, initialBackoffMs: 100, maxBackoffMs: 1000 });

/** The wait before retry number `attempt` (1-based): uniform in [0, min(max, initial·2^(attempt-1))]. */
export function backoffMs(attempt: number, options: RetryOptions = {}): number {
  const { initialBackoffMs, maxBackoffMs } = { ...DEFAULT_RETRY, ...options };
  const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never a zero wait, yet clients that failed together spread out.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function isRetriable(error: unknown): boolean {
  return isTidelogError(error) && error.retriable;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retriable error, or `retries` run out.
 * `onRetry` runs before each wait (refresh metadata, drop a stale connection). An aborted
 * `signal` stops the waiting and rejects with the signal's reason.
 */
export async function withRetry<T>(
  attempt: (context: RetryContext) => Promise<T>,
  options: RetryOptions & { signal?: AbortSignal; onRetry?: (error: unknown, attempt: number) => void | Promise<void> } = {},
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRY.retries;
  let lastError: unknown;
  for (let n = 0; ; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt({ attempt: n, lastError });
    } catch (error) {
      if (!isRetriable(error) || n >= retries) throw error;
      lastError = error;
      await options.onRetry?.(error, n + 1);
      await sleep(backoffMs(n + 1, options), options.signal);
    }
  }
}

/** setTimeout as a promise that an AbortSignal cuts short (rejecting with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason an AbortSignal carries, as an Error. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new TidelogError('REQUEST_TIMED_OUT', 'the operation was aborted');
}
