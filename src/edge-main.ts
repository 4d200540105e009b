// The edge entry (src/http/edge.ts, what workerd runs) as a forwarder on a server of its own:
// Bun.serve under Bun, Deno.serve under Deno, node:http under Node (src/serve). Same app, same
// settings, read from the environment instead of Wrangler's bindings: `bun src/edge-main.ts`, or
// `deno run --allow-net=<its address>,<the worker's> --allow-env src/edge-main.ts`.
import * as v from 'valibot';
import { redactUrlPasswords } from './config/index.ts';
import { checkEdgeBindings, edgeApp, type EdgeBindings } from './http/index.ts';
import { LOG_LEVELS, type Log, type LogLevel } from './log/index.ts';
// The logger alone (a surface of its own, .dependency-cruiser.cjs): runtime/index.ts would load the worker.
import { createLogger, KnownSecrets, secretValuesOf } from './runtime/logger.ts';
import { serveHttp } from './serve/index.ts';

const milliseconds = (fallback: string) =>
  v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,8}$/, 'must be a positive number of milliseconds'), v.transform(Number)), fallback);

// The worker's names and defaults for the same things.
const ServerEnvSchema = v.object({
  INLET_PORT: v.optional(v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'must be a port number'), v.transform(Number), v.maxValue(65535, 'must be a port number')), '8787'),
  INLET_HOST: v.optional(v.string(), '127.0.0.1'),
  INLET_REQUEST_TIMEOUT_MS: milliseconds('30000'),
  INLET_HEADERS_TIMEOUT_MS: milliseconds('10000'),
  INLET_LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
});

// The worker's logger, redaction and all: the environment holds the secrets the connectors name.
const secrets = new KnownSecrets();
secrets.add(secretValuesOf(process.env));

async function logger(level: LogLevel): Promise<Log> {
  return (await createLogger({ level, pretty: process.stdout.isTTY === true, secrets })).child({ service: 'inlet-edge' });
}

async function main() {
  const parsed = v.safeParse(ServerEnvSchema, process.env);
  if (!parsed.success) throw new Error(`invalid environment: ${parsed.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`).join('; ')}`);
  // One bindings object for the process's life: the edge builds its verifiers once per object.
  // The app keeps the body deadline itself, as the worker's ingest route does: Bun.serve has only an idle timeout, Deno.serve none.
  const env: EdgeBindings = Object.freeze({ ...process.env, INLET_REQUEST_TIMEOUT_MS: String(parsed.output.INLET_REQUEST_TIMEOUT_MS) });
  checkEdgeBindings(env);
  const log = await logger(parsed.output.INLET_LOG_LEVEL);
  const server = await serveHttp({
    fetch: (request) => edgeApp.fetch(request, env),
    port: parsed.output.INLET_PORT,
    hostname: parsed.output.INLET_HOST,
    requestTimeoutMs: parsed.output.INLET_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: parsed.output.INLET_HEADERS_TIMEOUT_MS,
  });
  log.info(`inlet edge listening on http://${server.address}:${server.port} (${server.name}), forwarding to ${redactUrlPasswords(env.INLET_WORKER_URL ?? '')}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(async (error: unknown) => {
  // The environment may be what failed, INLET_LOG_LEVEL with it: a failed start is logged at the default level.
  const log = await logger('info');
  log.error(`inlet edge: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
