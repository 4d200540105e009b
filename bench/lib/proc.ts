// Processes, ports and memory readings for bench/run (runs under Bun).
import type { Subprocess } from 'bun';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dir, '..', '..');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

export interface Service {
  name: string;
  proc: Subprocess;
  pid: number;
  log: string;
  stop(): Promise<void>;
}

/** Started services, stopped in reverse order by stopAll (also on Ctrl-C). */
const running: Service[] = [];

/** Starts a long-running process with its output in `logDir/name.log`. */
export function startService(name: string, cmd: string[], options: { env?: Record<string, string>; cwd?: string; logDir: string }): Service {
  const log = join(options.logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const proc = Bun.spawn(cmd, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdin: 'ignore',
    stdout: fd,
    stderr: fd,
  });
  closeSync(fd);
  const service: Service = {
    name,
    proc,
    pid: proc.pid,
    log,
    async stop() {
      const index = running.indexOf(service);
      if (index >= 0) running.splice(index, 1);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const exited = await Promise.race([proc.exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!exited) {
        proc.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
  running.push(service);
  return service;
}

export async function stopAll(): Promise<void> {
  for (const service of running.slice().reverse()) await service.stop().catch(() => {});
}

/** Runs a command to completion; throws with its output when it fails. */
export async function run(cmd: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}):\n${out}\n${err}`);
  return out;
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Waits until `url` answers 2xx, or fails naming the service (with its log tail). */
export async function waitHttp(service: Service, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.proc.exitCode !== null) throw new Error(`${service.name} exited (${service.proc.exitCode}):\n${tail(service.log)}`);
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${tail(service.log)}`);
    await sleep(250);
  }
}

/** Peak resident set size (VmHWM) of a process, in KiB. */
export function peakRssKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Current resident set size (VmRSS) of a process, in KiB; 0 once it is gone. */
export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resets VmHWM to the current RSS (Linux clear_refs 5), so the next reading covers what follows. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not our process or no permission: the reading then covers the whole process life.
  }
}
