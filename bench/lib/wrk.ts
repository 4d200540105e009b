// wrk (Debian's package) as the HTTP load generator: C, two threads, keep-alive connections.
import { join } from 'node:path';
import { ROOT, run } from './proc.ts';

export interface LoadResult {
  requests: number;
  okRequests: number;
  errors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): LoadResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (!total) throw new Error(`cannot read wrk output:\n${out}`);
  const requests = Number(total[1]);
  const seconds = toMs(`${total[2]}${total[3]}`) / 1000;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? Number(socket[1]) + Number(socket[3]) + Number(socket[4]) : 0;
  const p50 = /^\s*50%\s+(\S+)/m.exec(out)?.[1];
  const p99 = /^\s*99%\s+(\S+)/m.exec(out)?.[1];
  return {
    requests,
    okRequests: requests - non2xx,
    errors: non2xx + socketErrors,
    seconds,
    p50Ms: p50 ? toMs(p50) : NaN,
    p99Ms: p99 ? toMs(p99) : NaN,
  };
}

const THREADS = 2;

/** Runs one of bench/tools' wrk scripts, which read their settings from `env`. */
async function runScript(script: string, url: string, connections: number, seconds: number, env: Record<string, string>): Promise<LoadResult> {
  const out = await run(
    ['wrk', `-t${THREADS}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', join(ROOT, 'bench', 'tools', script), url],
    { env },
  );
  return parseWrk(out);
}

/** POSTs the body in `bodyFile` over `connections` keep-alive connections for `seconds`. */
export function wrk(url: string, bodyFile: string, connections: number, seconds: number): Promise<LoadResult> {
  return runScript('post.lua', url, connections, seconds, { BENCH_BODY: bodyFile });
}

export interface PacedOptions {
  /** Pushes per second over all connections. */
  rate: number;
  seconds: number;
  connections: number;
  /** 1: ids 0, 1, 2, ...; -1: ids -1, -2, ... (warm-up). */
  sign: 1 | -1;
}

/** POSTs `template` (an event with @ID@ and @SENT@) at a fixed rate; see bench/tools/paced.lua. */
export function wrkPaced(url: string, template: string, options: PacedOptions): Promise<LoadResult> {
  return runScript('paced.lua', url, options.connections, options.seconds, {
    BENCH_TEMPLATE: template,
    BENCH_RATE: String(options.rate),
    BENCH_THREADS: String(THREADS),
    BENCH_ID_SIGN: String(options.sign),
  });
}
