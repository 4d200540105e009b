import type { Subprocess } from 'bun';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanups, freePort, waitFor } from './wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
export const WORKER_BUNDLE = join(ROOT, 'dist', 'main.js');

/**
 * The runtime the end-to-end suites run the worker under (`INLET_TEST_RUNTIME`): `node` runs the
 * bundle, as users run it on Node; `bun` runs src/main.ts with no bundle step; `deno` runs
 * src/main.ts with `deno run` and the narrow permissions README's runtime table lists.
 */
export const WORKER_RUNTIME = workerRuntime(process.env.INLET_TEST_RUNTIME);

type Runtime = 'node' | 'bun' | 'deno';

function workerRuntime(value: string | undefined): Runtime {
  if (value === undefined || value === '' || value === 'node') return 'node';
  if (value === 'bun' || value === 'deno') return value;
  throw new Error(`INLET_TEST_RUNTIME must be node, bun or deno, not "${value}"`);
}

/**
 * Deno's own binary from the pinned npm package (its platform package), not node_modules/.bin/deno:
 * that is a Node script that runs the binary as a child, so a signal sent to the worker would stop
 * the script and leave Deno running, and Deno's own exit would not show as a signal.
 */
export const DENO = join(ROOT, 'node_modules', '@deno', `linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}-glibc`, 'deno');

/**
 * What the worker needs on Deno, and no more: see README's runtime table. The network is its own
 * listening address and the databases' hosts; the tests' databases (connectors' `connection.url`,
 * some made later through the REST API) are all on this machine's loopback address.
 */
export function denoPermissions(opts: { host: string; port: number; dataDir: string; configPath: string }): string[] {
  return [
    '--allow-ffi',
    `--allow-net=${opts.host}:${opts.port},127.0.0.1`,
    '--allow-env',
    '--allow-sys=hostname',
    `--allow-read=${[ROOT, opts.dataDir, opts.configPath].join(',')}`,
    `--allow-write=${opts.dataDir}`,
  ];
}

function workerCommand(runtime: Runtime, permissions: () => string[]): string[] {
  if (runtime === 'bun') return [process.execPath, join(ROOT, 'src', 'main.ts')];
  if (runtime === 'deno') return [DENO, 'run', ...permissions(), join(ROOT, 'src', 'main.ts')];
  return ['node', WORKER_BUNDLE];
}

export interface ConnectorSpec {
  name: string;
  config: Record<string, unknown>;
}

export interface WorkerProcess {
  url: string;
  port: number;
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Everything the process printed so far. */
  output(): string;
  /** The exit code, once the process has exited and all it printed has been read into output(). */
  readonly exited: Promise<number>;
  post(path: string, body: string | unknown, headers?: Record<string, string>): Promise<Response>;
  /** The sum of a counter's series that carry `labels`; a counter the worker does not expose fails. */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number>;
  kill(): Promise<void>;
}

export interface WorkerLaunch {
  connectors: ConnectorSpec[];
  brokers: string;
  dbUrl?: string;
  env?: Record<string, string>;
  /** Reuse a port: the worker id (and so its transactional id) is host:port. */
  port?: number;
  /** Worker cluster; each worker gets a cluster of its own unless tests share one. */
  group?: string;
  /** Do not wait for /health (for processes expected to exit, e.g. fault injection). */
  waitReady?: boolean;
  /** The runtime for this worker; INLET_TEST_RUNTIME's by default. */
  runtime?: Runtime;
}

/** Starts the real worker, the way a user runs it: the bundle under Node, or src/main.ts under Bun or Deno. */
export async function startWorker(launch: WorkerLaunch): Promise<WorkerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-worker-'));
  const configPath = join(dir, 'connectors.json');
  writeFileSync(configPath, JSON.stringify({ connectors: launch.connectors }));
  const port = launch.port ?? (await freePort());
  const env: Record<string, string | undefined> = {
    ...process.env,
    INLET_PORT: String(port),
    KAFKA_BROKERS: launch.brokers,
    INLET_CONFIG: configPath,
    INLET_DB_URL: launch.dbUrl ?? `sqlite:${join(dir, 'inlet.db')}`,
    INLET_GROUP_ID: launch.group ?? `test-${crypto.randomUUID()}`,
    // Tests keep their databases in temporary folders, which connectors made through the API name.
    INLET_DATA_DIR: tmpdir(),
    ...launch.env,
  };
  const command = workerCommand(launch.runtime ?? WORKER_RUNTIME, () =>
    denoPermissions({ host: env.INLET_HOST ?? '127.0.0.1', port, dataDir: env.INLET_DATA_DIR!, configPath }),
  );
  const proc = Bun.spawn(command, {
    cwd: ROOT,
    env: { ...env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let output = '';
  // Bun can see the exit before the last of what the process printed has been read from its pipes:
  // a worker that refuses to start would then report no output at all.
  const drained = [proc.stdout, proc.stderr].map(async (stream) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
    output += decoder.decode();
  });
  const exited = Promise.all([proc.exited, ...drained]).then(([code]) => code);
  const url = `http://127.0.0.1:${port}`;
  const worker: WorkerProcess = {
    url,
    port,
    proc,
    output: () => output,
    exited,
    post: (path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }).catch((error: Error) => {
        // A push with no answer at all (a reset, a refused connect): say whether the worker is
        // still there and what it printed last, so a failure in CI can be told from a crash.
        const state = proc.exitCode !== null || proc.signalCode !== null ? `exited (code ${proc.exitCode}, signal ${proc.signalCode})` : 'still running';
        throw new Error(`POST ${url}${path} got no answer: ${error.message}; the worker is ${state}\n--- worker output, last 6 KB ---\n${output.slice(-6144)}`, { cause: error });
      }),
    async metric(name, labels) {
      const response = await fetch(`${url}/metrics`);
      const text = await response.text();
      if (!response.ok) throw new Error(`GET /metrics answered ${response.status}: ${text}`);
      // A metric the worker does not expose fails the test; a series never counted is 0.
      if (!text.split('\n').some((l) => l.startsWith(`# TYPE ${name} `))) throw new Error(`metric ${name} is not exposed by ${url}/metrics:\n${text}`);
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      let sum = 0;
      for (const line of text.split('\n')) {
        const match = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`).exec(line);
        if (!match) continue;
        const series = match[1]!.split(/,(?=[a-z_]+=")/);
        if (wanted.every((w) => series.includes(w))) sum += Number(match[2]);
      }
      return sum;
    },
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) await worker.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  if (launch.waitReady !== false) {
    const ready = waitFor(`worker on ${url} to answer /health`, async () => (await fetch(`${url}/health`).catch(() => null))?.ok, {
      timeoutMs: 60_000,
    });
    const exitedEarly = exited.then((code) => {
      throw new Error(`worker exited with ${code} before it was ready`);
    });
    await Promise.race([ready, exitedEarly]).catch((error) => {
      throw new Error(`${(error as Error).message}\n--- worker output ---\n${output}`);
    });
  }
  return worker;
}

/** A REST reply: the status and the JSON body (null when empty). */
export interface RestReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the API, checked by the test
  body: any;
}

/** Calls the worker's REST API; a body is sent as JSON, with the content type mutating routes require. */
export async function restCall(worker: WorkerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestReply> {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export interface TaskStatus {
  state: string;
  trace?: string;
}

/** Task 0 of a connector as the worker reports it; a worker that stopped answering fails the test. */
export async function taskStatus(worker: WorkerProcess, connector: string): Promise<TaskStatus | undefined> {
  const response = await fetch(`${worker.url}/connectors/${connector}/status`).catch(() => null);
  if (!response) throw new Error(`the worker stopped answering:\n${worker.output()}`);
  return ((await response.json()) as { tasks: TaskStatus[] }).tasks[0];
}
