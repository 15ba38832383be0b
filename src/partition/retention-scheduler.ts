/**
 * Runs a retention pass every `intervalMs` (log.retention.check.interval.ms). The timer is
 * unref'd, so it never keeps the process alive, and a pass never overlaps the previous one.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly pass: () => Promise<void>) {}

  start(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pass()
        .catch(() => {})
        .finally(() => (this.running = null));
    }, Math.min(intervalMs, 0x7fffffff));
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get isRunning(): boolean {
    return this.timer !== null;
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running;
  }
}
