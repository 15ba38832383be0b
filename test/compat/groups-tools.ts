import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * Shared plumbing for the real-client consumer-group tests (test/compat/groups-*.test.ts):
 * a broker process with group timings lowered for tests, behind a proxy that records the
 * API versions every client sends; the broker's own ApiVersions answer; child processes
 * that are only ever signalled by PID; and a bounded wait.
 */

/** Kafka's API keys for the names used in these tests. */
export const API_NAMES: Readonly<Record<number, string>> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  15: 'DescribeGroups',
  16: 'ListGroups',
  18: 'ApiVersions',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  32: 'DescribeConfigs',
  37: 'CreatePartitions',
  42: 'DeleteGroups',
};
export const GROUP_APIS = ['FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'OffsetCommit', 'OffsetFetch', 'DescribeGroups', 'ListGroups', 'DeleteGroups'] as const;

/** Group settings for fast tests: no initial rebalance delay, short sessions allowed, a small __consumer_offsets. */
export const GROUP_TEST_SETTINGS: Readonly<Record<string, string>> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'offsets.topic.num.partitions': '5',
};

// ---- a proxy that records request versions ----

/**
 * A TCP proxy in front of the broker that reads each request's header (size, api key, api
 * version) on its way through and forwards every byte unchanged. The broker advertises the
 * proxy's port, so clients reach it for metadata, coordinator and fetch connections alike.
 */
export interface VersionProxy {
  readonly port: number;
  /** api name -> versions seen, sorted; only of requests whose header names `clientId` when given. */
  versions(clientId?: string): Record<string, number[]>;
  /** Every client id seen in a request header. */
  clientIds(): string[];
  close(): Promise<void>;
}

export async function startVersionProxy(target: () => number): Promise<VersionProxy> {
  /** client id -> api name -> versions */
  const seen = new Map<string, Map<string, Set<number>>>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = createConnection({ host: '127.0.0.1', port: target() });
    sockets.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const name = API_NAMES[pending.readInt16BE(4)] ?? `api ${pending.readInt16BE(4)}`;
        // Request header v1+: api key, api version, correlation id, then the nullable client id.
        const idLength = size >= 10 ? pending.readInt16BE(12) : -1;
        const clientId = idLength >= 0 && 14 + idLength <= 4 + size ? pending.toString('utf8', 14, 14 + idLength) : '';
        const byApi = seen.get(clientId) ?? new Map<string, Set<number>>();
        seen.set(clientId, byApi);
        byApi.set(name, (byApi.get(name) ?? new Set()).add(pending.readInt16BE(6)));
        pending = pending.subarray(4 + size);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    versions: (clientId) => {
      const merged = new Map<string, Set<number>>();
      for (const [id, byApi] of seen) {
        if (clientId !== undefined && id !== clientId) continue;
        for (const [name, set] of byApi) merged.set(name, new Set([...(merged.get(name) ?? []), ...set]));
      }
      return Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, set]) => [name, [...set].sort((a, b) => a - b)]));
    },
    clientIds: () => [...seen.keys()].sort(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---- the broker ----

export interface GroupBroker {
  readonly broker: BrokerProcess;
  /** The proxy's `host:port`: what clients bootstrap from (the broker advertises it). */
  readonly address: string;
  /** Request versions seen so far, by API name (of one client id's requests when given). */
  versions(clientId?: string): Record<string, number[]>;
  /** Versions seen for the group APIs only. */
  groupVersions(clientId?: string): Record<string, number[]>;
  /** Every client id seen in a request header. */
  clientIds(): string[];
  /** Stops the broker as shutdownBroker does (throws if it logged errors), then closes the proxy. */
  shutdown(): Promise<void>;
}

/** A broker process with GROUP_TEST_SETTINGS (plus `settings`) in a server.properties, behind a VersionProxy. */
export async function startGroupBroker(settings: Record<string, string> = {}): Promise<GroupBroker> {
  const configDir = await makeTempDir('tidelog-groups-config-');
  const file = join(configDir.dir, 'server.properties');
  await writeFile(file, Object.entries({ ...GROUP_TEST_SETTINGS, ...settings }).map(([k, v]) => `${k}=${v}\n`).join(''));
  let broker: BrokerProcess | null = null;
  const proxy = await startVersionProxy(() => broker!.port);
  try {
    broker = await startBrokerProcess({ args: ['--config', file, '--advertised-host', '127.0.0.1', '--advertised-port', String(proxy.port)] });
  } catch (error) {
    await proxy.close();
    await configDir.cleanup();
    throw error;
  }
  const started = broker;
  return {
    broker: started,
    address: `127.0.0.1:${proxy.port}`,
    versions: proxy.versions,
    clientIds: proxy.clientIds,
    groupVersions: (clientId) => Object.fromEntries(Object.entries(proxy.versions(clientId)).filter(([name]) => (GROUP_APIS as readonly string[]).includes(name))),
    async shutdown() {
      try {
        if (started.running) await started.stop();
        const unexpected = started.unexpectedLogLines();
        if (unexpected.length > 0) throw new Error(`the broker logged errors:\n${unexpected.join('\n')}`);
      } finally {
        await started.dispose();
        await proxy.close();
        await configDir.cleanup();
      }
    },
  };
}

/**
 * The broker's ApiVersions v0 answer (api name -> [min, max]), asked directly over a raw
 * socket so it does not depend on any client's choice of version.
 */
export function brokerApiVersions(port: number): Promise<Record<string, [number, number]>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const request = Buffer.alloc(14);
    request.writeInt32BE(10, 0); // size
    request.writeInt16BE(18, 4); // ApiVersions
    request.writeInt16BE(0, 6); // v0
    request.writeInt32BE(1, 8); // correlation id
    request.writeInt16BE(-1, 12); // null client id
    let data: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no ApiVersions answer'));
    }, 10_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      const errorCode = data.readInt16BE(8);
      if (errorCode !== 0) return reject(new Error(`ApiVersions error ${errorCode}`));
      const count = data.readInt32BE(10);
      const ranges: Record<string, [number, number]> = {};
      for (let i = 0, pos = 14; i < count; i++, pos += 6) {
        const key = data.readInt16BE(pos);
        ranges[API_NAMES[key] ?? `api ${key}`] = [data.readInt16BE(pos + 2), data.readInt16BE(pos + 4)];
      }
      resolve(ranges);
    });
  });
}

/** The versions in `seen` outside the broker's advertised ranges (should be none). */
export function outOfRange(seen: Record<string, number[]>, ranges: Record<string, [number, number]>): string[] {
  const bad: string[] = [];
  for (const [name, versions] of Object.entries(seen)) {
    const range = ranges[name];
    for (const v of versions) if (!range || v < range[0] || v > range[1]) bad.push(`${name} v${v}`);
  }
  return bad;
}

/**
 * The highest version of each group API a client implements. kafkajs (protocol/requests/*),
 * librdkafka 2.0.2 and @platformatic/kafka 1.35.0 each send min(their max, the broker's max)
 * (platformatic only if that is at least its own minimum). kafka-python 2.0.2 is not listed:
 * it picks versions from the broker version it infers, not from these ranges.
 */
export const CLIENT_GROUP_MAX: Readonly<Record<'kafkajs' | 'librdkafka' | 'platformatic', Readonly<Record<string, number>>>> = {
  kafkajs: { FindCoordinator: 2, JoinGroup: 5, SyncGroup: 3, Heartbeat: 3, LeaveGroup: 3, OffsetCommit: 5, OffsetFetch: 4, DescribeGroups: 2, ListGroups: 2, DeleteGroups: 1 },
  librdkafka: { FindCoordinator: 2, JoinGroup: 5, SyncGroup: 3, Heartbeat: 3, LeaveGroup: 1, OffsetCommit: 7, OffsetFetch: 7 },
  platformatic: { FindCoordinator: 6, JoinGroup: 9, SyncGroup: 5, Heartbeat: 4, LeaveGroup: 5, OffsetCommit: 9, OffsetFetch: 9 },
};

/**
 * The group API versions in `seen` that are not min(client max, broker max), as
 * "api vN (expected vM)"; APIs the client did not use are not checked.
 */
export function unexpectedGroupVersions(seen: Record<string, number[]>, clientMax: Readonly<Record<string, number>>, ranges: Record<string, [number, number]>): string[] {
  const bad: string[] = [];
  for (const [api, versions] of Object.entries(seen)) {
    if (!(GROUP_APIS as readonly string[]).includes(api)) continue;
    const expected = Math.min(clientMax[api] ?? -1, ranges[api]?.[1] ?? -1);
    for (const v of versions) if (v !== expected) bad.push(`${api} v${v} (expected v${expected})`);
  }
  return bad;
}

// ---- waiting and child processes ----

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it is true; throws with `what` (and the last detail) after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, { timeoutMs = 30_000, everyMs = 100, detail }: { timeoutMs?: number; everyMs?: number; detail?: () => unknown } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${JSON.stringify(detail())}` : ''}`);
    await sleep(everyMs);
  }
}

/** A child process whose stdout is split into lines as they come; signalled only by its PID. */
export interface LineChild {
  readonly pid: number;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the exit once the process has ended and its pipes are drained. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL by PID unless it already ended, and wait for it. */
  kill(): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

export function spawnLines(file: string, args: string[], options: { cwd?: string; input?: string } = {}): LineChild {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of liveChildren) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    });
  }
  const child = spawn(file, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  liveChildren.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let running = true;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter((l) => l !== ''));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-64 * 1024);
  });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.input ?? '');
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      running = false;
      liveChildren.delete(child);
      if (partial !== '') lines.push(partial);
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  return {
    pid,
    lines,
    stderr: () => stderr,
    closed,
    get running() {
      return running;
    },
    signal(signal) {
      if (running) process.kill(pid, signal);
    },
    async kill() {
      if (running) process.kill(pid, 'SIGKILL');
      await closed;
    },
  };
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a TypeScript file with `node --import tsx` from the repository root. */
export function spawnTsx(script: string, args: string[]): LineChild {
  return spawnLines(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], { cwd: REPO_ROOT });
}
