// Where a machine's CPU went over a window, by process group: the evidence for "what limits it"
// when a latency target is missed on a machine the load driver, broker and database share.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export type Classify = (pid: number, cmdline: string, comm: string, ppid: number) => string | null;

/**
 * Groups a run's own processes: `named` pids, the load driver (wrk), this run's broker (its
 * command line holds the run's folder) and PostgreSQL cluster (the postmaster and its children),
 * so other brokers and databases on a shared machine are not counted as the bench's.
 */
export function benchClassifier(options: { runDir: string; postmaster?: number; named: Map<number, string>; others?: boolean }): Classify {
  const stamp = options.runDir.split('/').filter(Boolean).pop()!;
  return (pid, cmdline, comm, ppid) =>
    options.named.get(pid) ??
    (comm === 'wrk'
      ? 'load driver'
      : cmdline.includes('kafka.Kafka') && cmdline.includes(stamp)
        ? 'broker'
        : options.postmaster !== undefined && (pid === options.postmaster || ppid === options.postmaster)
          ? 'postgres'
          : options.others
            ? 'other'
            : null);
}

interface Snapshot {
  at: number;
  perPid: Map<number, { group: string; ticks: number }>;
  busy: number;
  total: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function cpuSnapshot(classify: Classify): Snapshot {
  const perPid = new Map<number, { group: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // comm may hold spaces and parentheses: the fields after it start past the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const group = classify(pid, (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' '), comm, Number(fields[1]));
    if (group) perPid.set(pid, { group, ticks });
  }
  const cpu = read('/proc/stat')!.split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!; // idle + iowait
  const total = cpu.reduce((a, b) => a + b, 0);
  return { at: performance.now(), perPid, busy: total - idle, total };
}

/** Per group, percent of one core over the window; and the machine's busy share of all cores. */
export function cpuShares(before: Snapshot, after: Snapshot): { groups: [string, number][]; machineBusy: number } {
  const seconds = (after.at - before.at) / 1000;
  const byGroup = new Map<string, number>();
  for (const [pid, now] of after.perPid) {
    const then = before.perPid.get(pid)?.ticks ?? 0;
    byGroup.set(now.group, (byGroup.get(now.group) ?? 0) + (now.ticks - then));
  }
  const groups = [...byGroup]
    .map(([group, ticks]) => [group, (100 * ticks) / TICKS_PER_SECOND / seconds] as [string, number])
    .sort((a, b) => b[1] - a[1]);
  return { groups, machineBusy: (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total) };
}

export function describeShares({ groups, machineBusy }: ReturnType<typeof cpuShares>): string {
  return `CPU (% of one core): ${groups.map(([g, p]) => `${g} ${p.toFixed(0)}`).join(', ')}; machine ${machineBusy.toFixed(0)}% busy`;
}

interface ProcessTicks {
  at: number;
  process: number;
  mainThread: number;
  machineBusy: number;
  machineTotal: number;
}

function ticksOf(statPath: string): number {
  const stat = read(statPath);
  if (!stat) return NaN;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** A process's CPU ticks, its main thread's (the JS thread of Node, Bun and Deno), and the machine's. */
export function processTicks(pid: number): ProcessTicks {
  const cpu = read('/proc/stat')!.split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { at: performance.now(), process: ticksOf(`/proc/${pid}/stat`), mainThread: ticksOf(`/proc/${pid}/task/${pid}/stat`), machineBusy: total - cpu[3]! - cpu[4]!, machineTotal: total };
}

/** "CPU: process 135%, main thread 98% of a core; machine 100% busy" between two readings. */
export function describeProcessCpu(before: ProcessTicks, after: ProcessTicks): string {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => ((100 * ticks) / TICKS_PER_SECOND / seconds).toFixed(0);
  const machine = (100 * (after.machineBusy - before.machineBusy)) / Math.max(1, after.machineTotal - before.machineTotal);
  return `CPU: process ${pct(after.process - before.process)}%, main thread ${pct(after.mainThread - before.mainThread)}% of a core; machine ${machine.toFixed(0)}% busy`;
}
