import { readdirSync, readFileSync } from 'node:fs';
import { median, timed } from './stats.js';

/**
 * Where the CPU went while a figure was measured: the server process (all its threads), this
 * process (the load generator), and everything else on the machine. The machine may be
 * shared, so "other" is the noise a figure should be read with.
 */
export interface Measured {
  seconds: number;
  brokerCpu: number | null;
  clientCpu: number;
  otherCpu: number | null;
}

/** CPU seconds a process has used, all its threads, from Linux's schedstat (nanoseconds); null elsewhere. */
export function processCpuSeconds(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended between the listing and the read.
      }
    }
    return ns / 1e9;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait), from Linux's /proc/stat; null elsewhere. */
function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
  } catch {
    return null;
  }
}

function clientCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Wall seconds of `fn`, with the CPU seconds the server (`serverPid`), this process and the rest of the machine spent meanwhile. */
export async function measured(serverPid: number, fn: () => Promise<void>): Promise<Measured> {
  const machine0 = machineBusySeconds();
  const broker0 = processCpuSeconds(serverPid);
  const client0 = clientCpuSeconds();
  const seconds = await timed(fn);
  const client1 = clientCpuSeconds();
  const broker1 = processCpuSeconds(serverPid);
  const machine1 = machineBusySeconds();
  const brokerCpu = broker0 === null || broker1 === null ? null : broker1 - broker0;
  const clientCpu = client1 - client0;
  const otherCpu = machine0 === null || machine1 === null || brokerCpu === null ? null : Math.max(0, machine1 - machine0 - brokerCpu - clientCpu);
  return { seconds, brokerCpu, clientCpu, otherCpu };
}

function medianOrNull(values: (number | null)[]): number | null {
  return values.every((v) => v !== null) ? median(values as number[]) : null;
}

/** Each field's median over runs (so the fields may come from different runs). */
export function medianMeasured(runs: Measured[]): Measured {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    brokerCpu: medianOrNull(runs.map((r) => r.brokerCpu)),
    clientCpu: median(runs.map((r) => r.clientCpu)),
    otherCpu: medianOrNull(runs.map((r) => r.otherCpu)),
  };
}
