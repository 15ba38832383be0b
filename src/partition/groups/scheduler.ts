import type { ManualClock } from '../../common/index.js';

/** A task that will run later unless cancelled first. Cancelling twice, or after it ran, does nothing. */
export interface ScheduledTask {
  cancel(): void;
}

/**
 * The timer seam of the group coordinator: session, rebalance and retention deadlines are
 * scheduled through it, so tests can move time by hand (ManualScheduler) instead of sleeping.
 */
export interface Scheduler {
  schedule(delayMs: number, task: () => void): ScheduledTask;
}

/** setTimeout's limit: longer delays would fire at once. */
const MAX_TIMER_MS = 0x7fffffff;

/** Real timers, unref'd: a pending session or retention deadline never keeps the process alive. */
export const realScheduler: Scheduler = {
  schedule(delayMs, task) {
    const timer = setTimeout(task, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface Entry {
  due: number;
  seq: number;
  task: () => void;
  cancelled: boolean;
}

/**
 * A scheduler over a ManualClock: nothing runs until `advance` moves the clock, and then
 * every task falls due in deadline order (ties in scheduling order), each seeing the clock
 * at its own deadline. Tasks scheduled by a task run in the same advance if they fall due.
 */
export class ManualScheduler implements Scheduler {
  private entries: Entry[] = [];
  private seq = 0;

  constructor(readonly clock: ManualClock) {}

  schedule(delayMs: number, task: () => void): ScheduledTask {
    const entry: Entry = { due: this.clock.now() + Math.max(delayMs, 0), seq: this.seq++, task, cancelled: false };
    this.entries.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }

  /** Tasks scheduled and neither run nor cancelled. */
  get pending(): number {
    this.entries = this.entries.filter((e) => !e.cancelled);
    return this.entries.length;
  }

  /** The earliest deadline still pending, or null. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const e of this.entries) if (!e.cancelled && (next === null || e.due < next)) next = e.due;
    return next;
  }

  /** Moves the clock forward by `ms`, running every task that falls due on the way. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (;;) {
      let first: Entry | null = null;
      for (const e of this.entries) {
        if (e.cancelled || e.due > target) continue;
        if (!first || e.due < first.due || (e.due === first.due && e.seq < first.seq)) first = e;
      }
      if (!first) break;
      first.cancelled = true;
      this.entries = this.entries.filter((e) => !e.cancelled);
      if (first.due > this.clock.now()) this.clock.set(first.due);
      first.task();
    }
    this.clock.set(Math.max(this.clock.now(), target));
  }
}
