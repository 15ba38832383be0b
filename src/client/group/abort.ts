import { abortReason } from '../retry.js';

/**
 * Waiting that can be cut short. A request already on the wire can't be taken back: these
 * only stop the caller waiting for it, so the caller must still handle its late answer.
 */

/** `promise`, or a rejection with the reason of the first of `signals` to abort. */
export function raceAbort<T>(promise: Promise<T>, signals: readonly (AbortSignal | undefined)[]): Promise<T> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  const aborted = live.find((s) => s.aborted);
  if (aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortReason(aborted));
  }
  if (live.length === 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const listeners = live.map((signal) => {
      const onAbort = () => {
        cleanup();
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    });
    const cleanup = () => listeners.forEach((remove) => remove());
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. The timer does not keep the process alive. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}

/** Waits `ms` unless a signal aborts first (then rejects with its reason). The timer does not keep the process alive. */
export function delay(ms: number, signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return raceAbort(waited, signals).finally(() => clearTimeout(timer));
}

/** Throws the reason of the first aborted signal, if any. */
export function throwIfAborted(signals: readonly (AbortSignal | undefined)[]): void {
  for (const signal of signals) signal?.throwIfAborted();
}
