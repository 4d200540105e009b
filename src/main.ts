// Worker entry point. Bun runs it as it is (bun src/main.ts), Node from the bundle (dist/main.js);
// the HTTP server is the runtime's own (src/serve), and Kafka's binding is chosen in src/kafka.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, readDeclaredConnectors, readWorkerEnv, type DeclaredConnector, type WorkerEnv } from './config/index.ts';
import type { Log, LogLevel } from './log/index.ts';
import { createStartingApp } from './http/index.ts';
import { kafkaBackend } from './kafka/index.ts';
import { createLogger, KnownSecrets, secretValuesOf, startTracing, VERSION, Worker } from './runtime/index.ts';
import { serveHttp } from './serve/index.ts';

/** Fault injection: SIGKILL once an exactly-once source transaction's records are acknowledged, before the commit. */
function crashBeforeSourceCommit(env: WorkerEnv): (() => void) | undefined {
  if (!env.INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT) return undefined;
  return () => process.kill(process.pid, 'SIGKILL');
}

function crashAfterDbCommits(env: WorkerEnv): (() => void) | undefined {
  const limit = env.INLET_FAULT_CRASH_AFTER_DB_COMMITS;
  if (!limit) return undefined;
  let commits = 0;
  // SIGKILL: no handler, no flush, no Kafka commit: the abrupt stop the exactly-once tests need.
  return () => {
    if (++commits >= limit) process.kill(process.pid, 'SIGKILL');
  };
}

/** Connectors the config file declares, validated (fail fast, naming the key) and kept raw for the config topic. */
function seedConnectors(path: string | undefined): DeclaredConnector[] {
  const configPath = path ?? 'config/connectors.json';
  if (!path && !existsSync(configPath)) return [];
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read connectors config ${configPath}: ${(error as Error).message}`);
  }
  return readDeclaredConnectors(text, configPath);
}

/** The runtime running this process: Bun and Deno name themselves in process.versions; Node is what is left. */
function runtime(): { runtime: 'bun' | 'deno' | 'node'; runtime_version: string } {
  const { bun, deno, node } = process.versions;
  if (bun) return { runtime: 'bun', runtime_version: bun };
  if (deno) return { runtime: 'deno', runtime_version: deno };
  return { runtime: 'node', runtime_version: node };
}

/**
 * Secret values no line may show: the environment's (INLET_API_TOKEN, INLET_DB_URL's password, the
 * variables connectors read through `${env:…}` when their names say secret); the worker adds each
 * connector's resolved secrets as it starts it.
 */
const secrets = new KnownSecrets();
secrets.add(secretValuesOf(process.env));

/** JSON lines for whatever collects them; pretty lines for a person at a terminal. */
function logger(level: LogLevel): Promise<Log> {
  return createLogger({ level, pretty: process.stdout.isTTY === true, secrets });
}

async function main() {
  const env = readWorkerEnv(process.env);
  const log = await logger(env.INLET_LOG_LEVEL);
  // Before the worker starts: its sink tasks apply batches (and end spans) as soon as they run.
  const tracing = startTracing({ env, version: VERSION, log });
  // Read before listening: a bad config file fails the start with its message, as before.
  const seed = seedConnectors(env.INLET_CONFIG);
  // Listen at once: probes answer while the worker joins its cluster and restores dedupe windows
  // (which can take a minute); until it has joined, everything else answers 503 with Retry-After.
  let app: { fetch: (request: Request) => Response | Promise<Response> } = createStartingApp(log);
  const server = await serveHttp({
    fetch: (request) => app.fetch(request),
    port: env.INLET_PORT,
    hostname: env.INLET_HOST,
    requestTimeoutMs: env.INLET_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.INLET_HEADERS_TIMEOUT_MS,
  });
  // Which runtime, HTTP server and Kafka binding this worker runs: they differ between `bun
  // src/main.ts`, `deno run … src/main.ts` and `node dist/main.js`, and an operator reading a
  // report needs to know which.
  const { runtime: name, runtime_version } = runtime();
  log.info(
    { runtime: name, runtime_version, server: server.name, backend: kafkaBackend },
    `inlet worker listening on http://${server.address}:${server.port} (${name} ${runtime_version}, ${server.name}, Kafka through the ${kafkaBackend} backend); joining its cluster`,
  );

  let worker: Worker | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining`);
    // A drain that hangs (a peer that never answers) must not keep the process: exit non-zero.
    setTimeout(() => {
      log.error(`${signal}: drain did not finish in 25 s; exiting`);
      process.exit(1);
    }, 25_000).unref();
    worker?.drain();
    // In-flight requests finish (their records are acknowledged) before the producer closes.
    await Promise.race([
      server.close(),
      new Promise<void>((resolve) => setTimeout(resolve, 15_000)),
    ]);
    // Not joined yet: nothing was accepted, so nothing is left to flush.
    await worker?.close();
    // Last: the sinks' final batches have ended their spans; export them before exiting.
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  worker = await Worker.join({
    env,
    host: hostname(),
    seed,
    afterDbCommit: crashAfterDbCommits(env),
    beforeSourceCommit: crashBeforeSourceCommit(env),
    log,
    secrets,
  });
  // A signal while joining: the drain closes what it found, and exits.
  if (stopping) return;
  app = worker.app();
  log.info({ worker: worker.id }, `inlet worker ${worker.id} joined its cluster; starting its connectors`);
  await worker.startConnectors();
  if (!stopping) log.info({ worker: worker.id }, `inlet worker ${worker.id} started, listening on http://${server.address}:${server.port}`);
}

main().catch(async (error: unknown) => {
  // The environment may be what failed, INLET_LOG_LEVEL with it: a failed start is logged at the default level.
  const log = await logger('info');
  if (error instanceof ConfigError) log.error(`inlet: ${error.message}`);
  else log.error({ err: error }, `inlet: the worker failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
