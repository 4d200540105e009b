import { Hono } from 'hono';
import { UnavailableError, WorkerStartingError } from '../errors/index.ts';
import { errorHandler } from './errors.ts';
import { probeRoutes } from './probes.ts';
import type { Log } from '../log/index.ts';

// Joining reads the cluster's topics: seconds, not minutes.
const JOINING_RETRY_AFTER_SECONDS = 2;

/**
 * What the worker answers from the moment it listens until it has joined its cluster (read the
 * config, status and offsets topics): the probes say so, and everything else is 503 with
 * Retry-After, as Kafka Connect's REST API answers during startup (KIP-1017). Nothing is known
 * of any connector yet, so a push is refused, never taken for an unknown source.
 */
export function createStartingApp(log: Log) {
  const app = new Hono();
  app.route(
    '/',
    probeRoutes({
      kafkaAvailable: () => false,
      started: () => false,
      notReady: async () => [{ component: 'worker', reason: 'joining its cluster' }],
    }),
  );
  app.all('/ingest/*', () => {
    throw new UnavailableError('the worker is starting: it has not joined its cluster yet', JOINING_RETRY_AFTER_SECONDS);
  });
  app.all('*', () => {
    throw new WorkerStartingError('the worker is starting: it has not joined its cluster yet', JOINING_RETRY_AFTER_SECONDS);
  });
  app.onError(errorHandler(log));
  return app;
}
