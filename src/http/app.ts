import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { Herder } from './herder.ts';
import { connectorsApi } from './connectors-api.ts';
import { UnavailableError } from '../errors/index.ts';
import { errorHandler, onNotFound } from './errors.ts';
import { ingestRoutes, type IngestDeps } from './ingest.ts';
import { probeRoutes, type ProbeDeps } from './probes.ts';
import { jsonBodiesOnly } from './json-bodies.ts';
import { CONSOLE_DATA_PATHS, consoleRoutes, type RateSample } from './console/index.ts';
import { NO_INGEST_METRICS } from '../metrics/index.ts';
import type { Log } from '../log/index.ts';

/** The REST API's paths; ingest (per-connector auth, NDJSON and other bodies) is not among them. */
const REST_API_PATHS = ['/connectors', '/connectors/*', '/connector-plugins', '/connector-plugins/*'];

// A dedupe window restores in seconds to a minute or two (it grows with dedupe.max.entries).
const PENDING_RETRY_AFTER_SECONDS = 5;

export interface AppDeps extends IngestDeps, ProbeDeps {
  version: string;
  herder: Herder;
  /** When set, the REST API (not ingest, which has per-connector auth) wants `Bearer <token>`. */
  apiToken?: string;
  /** The metrics scrape: Prometheus' text exposition and its content type. */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** Why connector `name` does not take pushes yet (starting, restoring its dedupe window), if so. */
  pending?(name: string): string | undefined;
  /** True once the worker drains: new ingest is refused so in-flight requests can finish. */
  draining?(): boolean;
  /** The console charts' history: the last minutes of ingest and sink lag samples. */
  rates?(): RateSample[];
  /** Where unhandled errors are logged (the answer is a bare 500). */
  log: Log;
}

/** The worker's HTTP surface. Runtime-neutral: no Node imports, served by whichever adapter. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  // Outermost, so every answer is counted: refusals too (onError has set c.res by now).
  app.use('/ingest/:connector', async (c, next) => {
    const started = performance.now();
    await next();
    const name = c.req.param('connector');
    (deps.metrics ?? NO_INGEST_METRICS).connector(deps.source(name) ? name : undefined).request(c.res.status, (performance.now() - started) / 1000);
  });
  app.use('/ingest/*', async (c, next) => {
    if (deps.draining?.()) {
      // Hand the connection back: a sender kept busy on it would hold the drain open.
      throw new UnavailableError('worker is shutting down', 1, { closeConnection: true });
    }
    return next();
  });
  app.use('/ingest/:connector', async (c, next) => {
    const name = c.req.param('connector');
    const reason = deps.pending?.(name);
    // Until its window is restored a source cannot tell a retry from a new push: it takes neither.
    if (reason !== undefined) throw new UnavailableError(`connector "${name}" is not ready: ${reason}`, PENDING_RETRY_AFTER_SECONDS);
    return next();
  });
  app.route('/ingest', ingestRoutes(deps));

  if (deps.apiToken) {
    // Hono's middleware compares digests of the tokens in constant time.
    const guard = bearerAuth({
      token: deps.apiToken,
      noAuthenticationHeader: { message: { error_code: 401, message: 'the REST API needs "Authorization: Bearer <INLET_API_TOKEN>"' } },
      invalidAuthenticationHeader: { message: { error_code: 400, message: 'the Authorization header must read "Bearer <INLET_API_TOKEN>"' } },
      invalidToken: { message: { error_code: 401, message: 'the REST API needs "Authorization: Bearer <INLET_API_TOKEN>"' } },
    });
    for (const path of [...REST_API_PATHS, ...CONSOLE_DATA_PATHS]) app.use(path, guard);
  }
  for (const path of [...REST_API_PATHS, ...CONSOLE_DATA_PATHS]) app.use(path, jsonBodiesOnly);

  app.get('/', (c) => c.json({ version: deps.version, commit: '', kafka_cluster_id: null }));
  app.route('/', probeRoutes(deps));
  app.get('/metrics', async (c) => {
    const { contentType, text } = await deps.scrape();
    return c.text(text, 200, { 'content-type': contentType });
  });
  app.route('/', connectorsApi(deps.herder));
  // The web console (its pages carry no data; what they load sits behind the token above).
  app.route('/ui', consoleRoutes({ herder: deps.herder, ingest: (request) => app.fetch(request), rates: () => deps.rates?.() ?? [] }));

  app.notFound(onNotFound);
  app.onError(errorHandler(deps.log));
  return app;
}
