import { Hono, type MiddlewareHandler } from 'hono';
import { sha256, timingSafeEqual } from '../source/signature.ts';
import type { ConnectService } from './connect-service.ts';
import { connectorsApi } from './connectors-api.ts';
import { errorBody } from './errors.ts';
import { ingestRoutes, type IngestDeps } from './ingest.ts';

export interface AppDeps extends IngestDeps {
  version: string;
  connect: ConnectService;
  /** When set, the REST API (not ingest, which has per-connector auth) wants `Bearer <token>`. */
  apiToken?: string;
  /** Prometheus text exposition. */
  metrics(): string;
  kafkaAvailable(): boolean;
  /** True once the worker drains: new ingest is refused so in-flight requests can finish. */
  draining?(): boolean;
}

/** The worker's HTTP surface. Runtime-neutral: no Node imports, served by whichever adapter. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.use('/ingest/*', async (c, next) => {
    if (deps.draining?.()) {
      c.header('Retry-After', '1');
      // Hand the connection back: a sender kept busy on it would hold the drain open.
      c.header('Connection', 'close');
      return errorBody(c, 503, 'worker is shutting down');
    }
    return next();
  });
  app.route('/ingest', ingestRoutes(deps));

  if (deps.apiToken) {
    const expected = sha256(deps.apiToken);
    const guard: MiddlewareHandler = async (c, next) => {
      const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
      // Digests have one length, so the comparison time says nothing about the token.
      if (!given || !timingSafeEqual(await sha256(given), await expected)) {
        c.header('WWW-Authenticate', 'Bearer');
        return errorBody(c, 401, 'the REST API needs "Authorization: Bearer <INLET_API_TOKEN>"');
      }
      return next();
    };
    for (const path of ['/connectors', '/connectors/*', '/connector-plugins', '/connector-plugins/*']) app.use(path, guard);
  }

  app.get('/', (c) => c.json({ version: deps.version, commit: '', kafka_cluster_id: null }));
  app.get('/health', (c) => {
    const kafka = deps.kafkaAvailable();
    return c.json({ status: kafka ? 'healthy' : 'unhealthy', message: kafka ? 'Worker is ready' : 'Kafka is unreachable' }, kafka ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(deps.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  app.route('/', connectorsApi(deps.connect));

  app.notFound((c) => errorBody(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return errorBody(c, 500, 'internal error');
  });
  return app;
}
