import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * CPU profiles of this process, one per phase (`client-<phase>.cpuprofile`), through the
 * inspector: `node --cpu-prof` would give one profile for the whole run, mixing our client
 * with kafkajs and the baselines. Off (no inspector session at all) without a directory.
 */
export class PhaseProfiler {
  private session: Session | null = null;

  constructor(private readonly dir: string | undefined) {}

  async profile<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    if (this.dir === undefined) return fn();
    await mkdir(this.dir, { recursive: true });
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
      await this.session.post('Profiler.enable');
    }
    await this.session.post('Profiler.start');
    let stopped = false;
    try {
      const result = await fn();
      const { profile } = await this.session.post('Profiler.stop');
      stopped = true;
      await writeFile(join(this.dir, `client-${phase}.cpuprofile`), JSON.stringify(profile));
      return result;
    } finally {
      if (!stopped) await this.session.post('Profiler.stop').catch(() => undefined);
    }
  }

  close(): void {
    this.session?.disconnect();
    this.session = null;
  }
}
