import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './tmp-dir.js';

/**
 * A Tidelog broker running as a real child process (`src/cli/main.ts` under tsx), for tests
 * that talk to it with real clients or kill it. It listens on a free loopback port (--port 0,
 * read back from the one line the CLI prints when it accepts connections) and keeps its data
 * in its own temp directory, removed by dispose(). Processes are only ever signalled by PID.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const READY_LINE = /^Tidelog broker listening on (\S+):(\d+) \(data in (.*)\)$/;
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;
/** Each broker's stderr is kept for error messages, bounded. */
const MAX_STDERR_CHARS = 64 * 1024;

export interface BrokerProcessOptions {
  /** Use this data directory instead of a fresh temp one (then dispose() leaves it alone). */
  dataDir?: string;
  /** Extra CLI arguments, e.g. ['--config', file]. */
  args?: string[];
  /** Default 'warn'. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readyTimeoutMs?: number;
}

export interface BrokerProcess {
  readonly host: string;
  /** The listening port; restart() keeps it when it can. */
  readonly port: number;
  /** `host:port`, for clients' bootstrap lists. */
  readonly address: string;
  /** PID of the current child (changes on restart). */
  readonly pid: number;
  readonly dataDir: string;
  /** Whether the current child is still running. */
  readonly running: boolean;
  /** Everything the broker wrote to stderr (bounded per run), across restarts. */
  stderr(): string;
  /** stderr lines that point at a broker bug: ERROR lines, failed handlers, unhandled rejections. */
  unexpectedLogLines(): string[];
  /** SIGTERM by PID and wait for the exit; throws unless it exited with code 0. */
  stop(): Promise<void>;
  /** SIGKILL by PID and wait for the exit. */
  kill(): Promise<void>;
  /** Starts a new child on the same data directory (and the same port when it is still free). Stops a running one gracefully first. */
  restart(): Promise<void>;
  /** Kills the child if it still runs and removes the temp data directory. Safe to call twice, and after a failed start. */
  dispose(): Promise<void>;
}

interface Child {
  process: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: { text: string };
  running: boolean;
}

/** Children still alive, killed if the test process exits without disposing of them. */
const live = new Set<Child>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

function spawnChild(dataDir: string, port: number, options: BrokerProcessOptions): Promise<{ child: Child; host: string; port: number }> {
  installExitHook();
  const args = ['--import', 'tsx', MAIN, '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--log-level', options.logLevel ?? 'warn', ...(options.args ?? [])];
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = { text: '' };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr.text += chunk;
    if (stderr.text.length > MAX_STDERR_CHARS) stderr.text = stderr.text.slice(-MAX_STDERR_CHARS);
  });

  return new Promise((resolve, reject) => {
    let settled = false;
    let stdout = '';
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      // Give the stderr pipe a moment to deliver the child's last words.
      void exited.then(() =>
        setTimeout(() => reject(new Error(`broker did not start: ${reason}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr.text}`)), 50),
      );
    };
    const timer = setTimeout(() => fail(`no ready line within ${options.readyTimeoutMs ?? READY_TIMEOUT_MS} ms`), options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    proc.once('error', (error) => fail(`spawn failed: ${error.message}`));
    void exited.then(({ code, signal }) => fail(`exited early with code ${code} signal ${signal}`));
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      const line = stdout.split('\n').map((l) => l.trim()).find((l) => READY_LINE.test(l));
      if (!line) return;
      const match = READY_LINE.exec(line)!;
      settled = true;
      clearTimeout(timer);
      const child: Child = { process: proc, pid: proc.pid!, exited, stderr, running: true };
      live.add(child);
      void exited.then(() => {
        child.running = false;
        live.delete(child);
      });
      resolve({ child, host: match[1]!, port: Number(match[2]) });
    });
  });
}

/** Starts a broker child process; throws (with its stderr) if it does not print its ready line in time. */
export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const tmp = options.dataDir === undefined ? await makeTempDir('tidelog-broker-') : null;
  const dataDir = options.dataDir ?? tmp!.dir;
  let current: Child | null = null;
  let earlierStderr = '';
  let host = '127.0.0.1';
  let port = 0;

  const waitExit = async (child: Child, what: string) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`broker (pid ${child.pid}) did not exit within ${STOP_TIMEOUT_MS} ms of ${what}\n${child.stderr.text}`)), STOP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([child.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const start = async (wantedPort: number) => {
    if (current) earlierStderr += `${current.stderr.text}--- (pid ${current.pid} ended) ---\n`;
    try {
      ({ child: current, host, port } = await spawnChild(dataDir, wantedPort, options));
    } catch (error) {
      // The old port may have been taken in between; any free one will do.
      if (wantedPort !== 0 && /EADDRINUSE/.test((error as Error).message)) ({ child: current, host, port } = await spawnChild(dataDir, 0, options));
      else throw error;
    }
  };

  const stop = async () => {
    const child = current;
    if (!child || !child.running) throw new Error('broker is not running');
    process.kill(child.pid, 'SIGTERM');
    const { code, signal } = await waitExit(child, 'SIGTERM');
    if (code !== 0) throw new Error(`broker (pid ${child.pid}) exited with code ${code} signal ${signal} after SIGTERM\n${child.stderr.text}`);
  };

  const kill = async () => {
    const child = current;
    if (!child || !child.running) throw new Error('broker is not running');
    process.kill(child.pid, 'SIGKILL');
    await waitExit(child, 'SIGKILL');
  };

  const stderr = () => earlierStderr + (current?.stderr.text ?? '');

  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    const child = current;
    if (child && child.running) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await waitExit(child, 'SIGKILL').catch(() => undefined);
    }
    await tmp?.cleanup();
  };

  try {
    await start(0);
  } catch (error) {
    await tmp?.cleanup();
    throw error;
  }

  return {
    get host() {
      return host;
    },
    get port() {
      return port;
    },
    get address() {
      return `${host}:${port}`;
    },
    get pid() {
      return current!.pid;
    },
    dataDir,
    get running() {
      return current?.running ?? false;
    },
    stderr,
    unexpectedLogLines: () =>
      stderr()
        .split('\n')
        .filter((line) => / ERROR |handler failed|unhandled rejection/i.test(line)),
    stop,
    kill,
    async restart() {
      if (current?.running) await stop();
      await start(port);
    },
    dispose,
  };
}

/**
 * For afterAll: stops the broker gracefully if it still runs (throwing unless it exits 0),
 * throws if it logged anything that points at a bug, and always removes its data directory.
 */
export async function shutdownBroker(broker: BrokerProcess | undefined): Promise<void> {
  if (!broker) return;
  try {
    if (broker.running) await broker.stop();
    const unexpected = broker.unexpectedLogLines();
    if (unexpected.length > 0) throw new Error(`the broker logged errors:\n${unexpected.join('\n')}`);
  } finally {
    await broker.dispose();
  }
}
