import { backoffMs, type RetryOptions } from '../retry.js';

/**
 * The timer that keeps a member alive: one beat every `intervalMs` after the previous one
 * ended (never two at once), sooner after a failure that is worth retrying (with backoff,
 * capped at the interval). The beat decides what its answer means:
 *
 * - 'ok': beat again after the interval;
 * - 'retry': a transient failure (network, coordinator loading); beat again after backoff;
 * - 'stop': the member must rejoin; no more beats until `start` is called again.
 *
 * Timers are unref'd: heartbeats alone never keep the process running. Stopping while a beat
 * is in flight discards its outcome (the epoch moved on), so a late answer cannot restart it.
 */
export type BeatOutcome = 'ok' | 'retry' | 'stop';

export class HeartbeatLoop {
  private timer: NodeJS.Timeout | null = null;
  private epoch = 0;
  private failures = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly retry: RetryOptions,
    /** `current()` turns false once the loop is stopped or restarted: the beat's answer is then stale. */
    private readonly beat: (current: () => boolean) => Promise<BeatOutcome>,
  ) {}

  /** Starts (or restarts) beating, the first beat one interval from now. */
  start(): void {
    this.stop();
    this.failures = 0;
    this.schedule(this.epoch, this.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.epoch++;
  }

  private schedule(epoch: number, delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(epoch), delayMs);
    this.timer.unref();
  }

  private async tick(epoch: number): Promise<void> {
    this.timer = null;
    let outcome: BeatOutcome;
    try {
      outcome = await this.beat(() => epoch === this.epoch);
    } catch {
      outcome = 'retry';
    }
    if (epoch !== this.epoch) return;
    if (outcome === 'stop') {
      this.epoch++;
      return;
    }
    this.failures = outcome === 'retry' ? this.failures + 1 : 0;
    this.schedule(epoch, outcome === 'ok' ? this.intervalMs : Math.min(this.intervalMs, backoffMs(this.failures, this.retry)));
  }
}
