// Worker entry point, run by Node (the librdkafka addon loads only there; see shared/DESIGN.md).
import { serve } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { ConfigError, parseConnectorsJson, readWorkerEnv } from './config/index.ts';
import { Worker } from './runtime/index.ts';

function crashAfterDbCommits(): (() => void) | undefined {
  const limit = Number(process.env.INLET_FAULT_CRASH_AFTER_DB_COMMITS ?? 0);
  if (!limit) return undefined;
  let commits = 0;
  // SIGKILL: no handler, no flush, no Kafka commit: the abrupt stop the exactly-once tests need.
  return () => {
    if (++commits >= limit) process.kill(process.pid, 'SIGKILL');
  };
}

async function main() {
  const env = readWorkerEnv(process.env);
  const configPath = env.INLET_CONFIG ?? 'config/connectors.json';
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read connectors config ${configPath}: ${(error as Error).message}`);
  }
  const { connectors } = parseConnectorsJson(text, configPath);
  const worker = await Worker.start({ env, connectors, afterDbCommit: crashAfterDbCommits() });
  const server = serve(
    {
      fetch: worker.app().fetch,
      port: env.INLET_PORT,
      hostname: env.INLET_HOST,
      serverOptions: {
        requestTimeout: env.INLET_REQUEST_TIMEOUT_MS,
        headersTimeout: env.INLET_HEADERS_TIMEOUT_MS,
        // Node looks for timed-out requests only this often (30 s by default).
        connectionsCheckingInterval: 1000,
      },
    },
    (info) => {
      console.log(`inlet worker ${worker.id} listening on http://${info.address}:${info.port}`);
    },
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining`);
    worker.drain();
    // In-flight requests finish (their records are acknowledged) before the producer closes.
    await Promise.race([
      new Promise<void>((resolve) => server.close(() => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 15_000)),
    ]);
    await worker.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `inlet: ${error.message}` : error);
  process.exit(1);
});
