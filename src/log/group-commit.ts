/**
 * Shares fsyncs between concurrent durable appends. A caller is released only by an
 * fsync that started after it asked, so its bytes (written before it asked) are covered;
 * everyone who asks while an fsync runs shares the next one.
 */
export class GroupCommit {
  private running: Promise<void> | null = null;
  private waiting: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(private readonly syncNow: () => Promise<void>) {}

  sync(): Promise<void> {
    if (this.waiting) return this.waiting.promise;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting = { promise, resolve, reject };
    if (!this.running) this.startNext();
    return promise;
  }

  private startNext(): void {
    const batch = this.waiting;
    if (!batch) return;
    this.waiting = null;
    this.running = this.syncNow().then(batch.resolve, batch.reject).finally(() => {
      this.running = null;
      this.startNext();
    });
  }

  /** Resolves once no fsync is running or waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
