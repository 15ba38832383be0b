import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared plumbing for the real-client tests: running kcat and Python scripts, murmur2. */

export const KCAT = '/usr/bin/kcat';
/** Debian's python3 with python3-kafka and python3-confluent-kafka; the `python3` on PATH lacks them. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (SIGKILLed by PID after timeoutMs), feeding it `input`. Never throws for a non-zero exit. */
export function run(file: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[killed after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms]`;
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Like run, but throws with the output unless the exit code is 0. */
export async function runOk(file: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code ?? result.signal}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
  return result;
}

// ---- kcat ----

/** One message as `kcat -C -J` prints it. */
export interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** kcat's common arguments: the broker and a bounded metadata/socket timeout. */
export function kcatBase(address: string): string[] {
  return ['-b', address, '-m', '15', '-X', 'socket.timeout.ms=15000'];
}

/**
 * Every message of a topic (or one partition) from `offset` up to the end, read with
 * `kcat -C -e -J` (no consumer group). The messages come back ordered by partition, then offset.
 */
export async function kcatConsume(address: string, topic: string, options: { partition?: number; offset?: string | number } = {}): Promise<KcatMessage[]> {
  const args = [...kcatBase(address), '-C', '-q', '-J', '-e', '-t', topic, '-o', String(options.offset ?? 'beginning')];
  if (options.partition !== undefined) args.push('-p', String(options.partition));
  const { stdout } = await runOk(KCAT, args);
  const messages = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatMessage);
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

// ---- Python ----

export function pythonScript(name: string): string {
  return fileURLToPath(new URL(`./python/${name}`, import.meta.url));
}

/** Runs one of test/compat/python/*.py with /usr/bin/python3, passing `input` as JSON on stdin; its last stdout line is its JSON result. */
export async function runPython<T>(script: string, input: unknown, timeoutMs = 45_000): Promise<{ result: T; stderr: string }> {
  const { stdout, stderr } = await runOk(SYSTEM_PYTHON, [pythonScript(script)], { input: JSON.stringify(input), timeoutMs });
  const lines = stdout.trim().split('\n');
  return { result: JSON.parse(lines[lines.length - 1]!) as T, stderr };
}

// ---- Kafka's default partitioner ----

/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), written from the Java
 * source rather than taken from any client: 32-bit, seed 0x9747b28c, little-endian words.
 */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (seed ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length4 * 4;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner gives a keyed record. */
export function kafkaPartitionForKey(key: string | Buffer, numPartitions: number): number {
  return toPositive(murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key)) % numPartitions;
}

/** A topic name unique to this process and call. */
let topicCounter = 0;
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${topicCounter++}`;
}

// ---- what the broker stored ----

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/**
 * The compression codec of every batch in one partition's segment files, read straight from
 * the data directory (Kafka's on-disk layout: `<topic>-<partition>/<base offset>.log`).
 */
export async function storedBatchCodecs(dataDir: string, topic: string, partition: number): Promise<string[]> {
  const dir = join(dataDir, `${topic}-${partition}`);
  const segments = (await readdir(dir)).filter((name) => /^\d{20}\.log$/.test(name)).sort();
  const codecs: string[] = [];
  for (const segment of segments) {
    const bytes = await readFile(join(dir, segment));
    for (let pos = 0; pos + 61 <= bytes.length; pos += 12 + bytes.readInt32BE(pos + 8)) {
      codecs.push(CODECS[bytes.readInt16BE(pos + 21) & 0x07] ?? 'unknown');
    }
  }
  return codecs;
}

/** The magic byte of every batch in one partition's segment files. */
export async function storedBatchMagics(dataDir: string, topic: string, partition: number): Promise<number[]> {
  const dir = join(dataDir, `${topic}-${partition}`);
  const segments = (await readdir(dir)).filter((name) => /^\d{20}\.log$/.test(name)).sort();
  const magics: number[] = [];
  for (const segment of segments) {
    const bytes = await readFile(join(dir, segment));
    for (let pos = 0; pos + 61 <= bytes.length; pos += 12 + bytes.readInt32BE(pos + 8)) magics.push(bytes[pos + 16]!);
  }
  return magics;
}
