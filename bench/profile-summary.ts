import { readFileSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a .cpuprofile (from `node --cpu-prof` or the inspector) spent its time: the functions
 * with the most self time, and self time by module (our folders, each dependency, Node's
 * internals, GC), as a share of the busy time (idle left out).
 *
 *   node dist/bench/profile-summary.js profiles/client-w1-acks1-tidelog.cpuprofile [more...] [--top 20]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Summary {
  totalMs: number;
  idleMs: number;
  /** Highest self time first. */
  functions: { name: string; where: string; selfMs: number }[];
  modules: { module: string; selfMs: number }[];
}

/** The repository root, from dist/bench (built) or bench (under tsx). */
const REPO = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url)).replace(/[/\\]$/, '');

/** Where a frame's code lives, by folder: src/client, bench, kafkajs, node internals, or a V8 pseudo-frame. */
function moduleOf(frame: CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) return 'node internals';
  const path = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
  const packageAt = path.lastIndexOf(`node_modules${sep}`);
  if (packageAt >= 0) {
    const [scope, name] = path.slice(packageAt + 'node_modules/'.length).split(sep);
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const parts = relative(REPO, path).split(sep).filter((p) => p !== 'dist');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0] ?? path;
}

function whereOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  const path = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
  const shown = path.startsWith(REPO) ? relative(REPO, path) : path.startsWith('node:') ? path : basename(path);
  return `${shown}:${frame.lineNumber + 1}`;
}

export function summarize(profile: CpuProfile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfById = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; each sample is charged the time to the next one.
  for (let i = 0; i < profile.samples.length; i++) {
    const next = profile.timeDeltas[i + 1] ?? 0;
    selfById.set(profile.samples[i]!, (selfById.get(profile.samples[i]!) ?? 0) + next);
  }
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  const modules = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, micros] of selfById) {
    const frame = byId.get(id)!.callFrame;
    const ms = micros / 1e3;
    totalMs += ms;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const where = whereOf(frame);
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    const module = moduleOf(frame);
    modules.set(module, (modules.get(module) ?? 0) + ms);
  }
  return {
    totalMs,
    idleMs,
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
    modules: [...modules].map(([module, selfMs]) => ({ module, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatSummary(name: string, summary: Summary, top: number): string {
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
  const lines = [`${name}: ${(summary.totalMs / 1e3).toFixed(2)} s sampled, ${(busy / 1e3).toFixed(2)} s busy (${((summary.idleMs / summary.totalMs) * 100).toFixed(0)}% idle)`, 'self time by module (% of busy):'];
  for (const m of summary.modules.slice(0, 12)) lines.push(`  ${pct(m.selfMs)} ${ms(m.selfMs)}  ${m.module}`);
  lines.push(`top ${top} functions by self time (% of busy):`);
  for (const f of summary.functions.slice(0, top)) lines.push(`  ${pct(f.selfMs)} ${ms(f.selfMs)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 20;
  const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
  if (files.length === 0) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile>... [--top N]');
    process.exit(2);
  }
  for (const file of files) console.log(`${formatSummary(file, summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), top)}\n`);
}
