// Inlet workers for bench/run, on each runtime, from the tree under test: Node runs the bundle
// bench/run builds (as users run it on Node), Bun and Deno run src/main.ts of the same snapshot
// with no bundle step (librdkafka over FFI, the runtime's own HTTP server). Same configuration.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, startService, waitHttp, type Service } from './proc.ts';

export type Runtime = 'node' | 'bun' | 'deno';
export const RUNTIMES: readonly Runtime[] = ['node', 'bun', 'deno'];

const RUNTIME_NAME: Record<Runtime, string> = { node: 'Node', bun: 'Bun', deno: 'Deno' };
/** The contender's name in the table: "Inlet on Bun". */
export const inletName = (runtime: Runtime) => `Inlet on ${RUNTIME_NAME[runtime]}`;

/** Where bench/run put the snapshot (src/, migrations/, dist/main.js) of the tree under test. */
const TREE = process.env.BENCH_INLET_TREE ?? ROOT;
const BUNDLE = process.env.BENCH_INLET_BUNDLE ?? join(ROOT, 'dist', 'main.js');
export const BUN = process.env.BENCH_BUN ?? process.execPath;
// The binary itself: node_modules/.bin/deno is a Node wrapper, whose pid is not the worker's
// (its RSS, signals) and which leaves the worker running when it is killed.
export const DENO = process.env.BENCH_DENO ?? join(ROOT, 'node_modules', '@deno', 'linux-x64-glibc', 'deno');

let profileDir: string | undefined;
/** `bench/run --profile`: CPU profiles of every Node and Bun worker (written as each one exits). */
export function profileInletWorkers(dir: string): void {
  profileDir = dir;
}

function command(runtime: Runtime, name: string): string[] {
  const entry = join(TREE, 'src', 'main.ts');
  if (runtime === 'node') {
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
    return ['node', ...profile, ...(process.env.BENCH_INLET_NODE_ARGS?.split(' ').filter(Boolean) ?? []), BUNDLE];
  }
  if (runtime === 'bun') {
    // --cpu-prof-md also writes a text summary of the heaviest functions beside the profile.
    const profile = profileDir ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}`] : [];
    return [BUN, ...profile, entry];
  }
  // BENCH_DENO_FLAGS replaces the permission flags (default: all), e.g. to bench the narrow set.
  const flags = process.env.BENCH_DENO_FLAGS?.split(' ').filter(Boolean) ?? ['--allow-all'];
  return [DENO, 'run', ...flags, entry];
}

export interface InletWorker {
  service: Service;
  port: number;
  runtime: Runtime;
}

export interface StartInletOptions {
  runtime: Runtime;
  bootstrap: string;
  dir: string;
  connectors: unknown[];
  /** Service name, for the log file and the default cluster. */
  name: string;
  dbUrl?: string;
  group?: string;
  env?: Record<string, string>;
  /** How long the worker may take to answer /health (default 90 s). */
  timeoutMs?: number;
}

export async function startInlet(options: StartInletOptions): Promise<InletWorker> {
  const { runtime, dir, name } = options;
  const port = await freePort();
  const config = join(dir, `${name}-connectors.json`);
  writeFileSync(config, JSON.stringify({ connectors: options.connectors }, null, 2));
  const service = startService(name, command(runtime, name), {
    logDir: dir,
    env: {
      INLET_PORT: String(port),
      KAFKA_BROKERS: options.bootstrap,
      INLET_CONFIG: config,
      // A cluster of its own: in the default group a later worker would also run (and restore
      // the dedupe window of) every connector an earlier scenario's worker left in the config topic.
      INLET_GROUP_ID: options.group ?? `bench-${name}`,
      INLET_DB_URL: options.dbUrl ?? `sqlite:${join(dir, `${name}.db`)}`,
      ...options.env,
    },
  });
  try {
    await waitHttp(service, `http://127.0.0.1:${port}/health`, options.timeoutMs);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { service, port, runtime };
}
