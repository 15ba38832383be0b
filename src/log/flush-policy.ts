import type { Clock } from '../common/index.js';
import type { TopicConfig } from '../config/index.js';

/**
 * Kafka's flush policy for writes that did not ask to be durable: fsync once
 * `flush.messages` have been appended since the last flush, or `flush.ms` have passed.
 * It counts and keeps the timer; the log decides how to flush.
 */
export class FlushPolicy {
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;

  constructor(private readonly clock: Clock) {
    this.lastFlushMs = clock.now();
  }

  appended(messages: number): void {
    this.unflushedMessages += messages;
  }

  isDue(config: TopicConfig): boolean {
    return this.unflushedMessages >= config['flush.messages'] || this.clock.now() - this.lastFlushMs >= config['flush.ms'];
  }

  flushed(): void {
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.now();
  }

  /** Runs `flush` every `flush.ms` while messages are waiting, never two at once; replaces any earlier timer. */
  arm(config: TopicConfig, flush: () => Promise<void>): void {
    this.stop();
    const ms = config['flush.ms'];
    if (!Number.isFinite(ms) || ms > 0x7fffffff) return;
    this.timer = setInterval(() => {
      if (this.unflushedMessages === 0 || this.flushing) return;
      this.flushing = true;
      flush()
        .catch(() => {})
        .finally(() => (this.flushing = false));
    }, Math.max(ms, 1));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
