import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Helper processes a benchmark talks to over loopback (a broker, an echo server): each is
 * `node <args>`, ready once it prints a line naming its port, and stopped by its own PID.
 */
export interface Child {
  port: number;
  pid: number;
  /** The ready line's capture groups after the port (e.g. a second port). */
  extra: string[];
  /** SIGTERM, then SIGKILL after 15 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Children still running, killed if this process exits without stopping them (a failed run, Ctrl-C). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns `node args`, waits for the stdout line matching `ready` (its first group is the
 * port), and returns a handle that stops it. Later stdout goes to our stderr, so a child's
 * chatter never mixes into our report on stdout.
 */
export function spawnListening(name: string, args: string[], ready: RegExp): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not start within 30 s; it printed: ${output}`));
    }, 30_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening; it printed: ${output}`));
    });
    // Keep draining stdout after the ready line, or a chatty child would block on a full pipe.
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (started) return void process.stderr.write(text);
      output += text;
      const match = ready.exec(output);
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({ port: Number(match[1]), pid: child.pid!, extra: match.slice(2), stop });
    });
  });
}
