import { Hono } from 'hono';
import { errorBody } from './errors.ts';
import { ingestRoutes, type IngestDeps } from './ingest.ts';

export interface ConnectorView {
  name: string;
  type: 'source' | 'sink';
  config: Record<string, unknown>;
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
}

export interface AppDeps extends IngestDeps {
  version: string;
  connectors(): ConnectorView[];
  /** Prometheus text exposition. */
  metrics(): string;
  kafkaAvailable(): boolean;
  /** Stored source offsets of a source connector, Kafka Connect's shape; undefined if none such. */
  sourceOffsets(name: string): { partition: Record<string, string>; offset: Record<string, string> }[] | undefined;
  /** True once the worker drains: new ingest is refused so in-flight requests can finish. */
  draining?(): boolean;
}

/** The worker's HTTP surface. Runtime-neutral: no Node imports, served by whichever adapter. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.use('/ingest/*', async (c, next) => {
    if (deps.draining?.()) {
      c.header('Retry-After', '1');
      return errorBody(c, 503, 'worker is shutting down');
    }
    return next();
  });
  app.route('/ingest', ingestRoutes(deps));

  app.get('/', (c) => c.json({ version: deps.version, commit: '', kafka_cluster_id: null }));
  app.get('/health', (c) => {
    const kafka = deps.kafkaAvailable();
    return c.json({ status: kafka ? 'healthy' : 'unhealthy', message: kafka ? 'Worker is ready' : 'Kafka is unreachable' }, kafka ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(deps.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  app.get('/connectors', (c) => c.json(deps.connectors().map((x) => x.name)));
  app.get('/connectors/:name', (c) => {
    const connector = deps.connectors().find((x) => x.name === c.req.param('name'));
    if (!connector) return errorBody(c, 404, `Connector ${c.req.param('name')} not found`);
    return c.json({
      name: connector.name,
      config: connector.config,
      tasks: connector.tasks.map((t) => ({ connector: connector.name, task: t.id })),
      type: connector.type,
    });
  });
  app.get('/connectors/:name/offsets', (c) => {
    const name = c.req.param('name');
    const connector = deps.connectors().find((x) => x.name === name);
    if (!connector) return errorBody(c, 404, `Connector ${name} not found`);
    const offsets = deps.sourceOffsets(name);
    if (!offsets) return errorBody(c, 501, `reading the offsets of sink connector ${name} is not supported yet`);
    return c.json({ offsets });
  });
  app.get('/connectors/:name/status', (c) => {
    const connector = deps.connectors().find((x) => x.name === c.req.param('name'));
    if (!connector) return errorBody(c, 404, `Connector ${c.req.param('name')} not found`);
    const failed = connector.tasks.some((t) => t.state === 'FAILED');
    return c.json({
      name: connector.name,
      connector: { state: failed ? 'FAILED' : 'RUNNING', worker_id: connector.tasks[0]?.worker_id ?? '' },
      tasks: connector.tasks,
      type: connector.type,
    });
  });

  app.notFound((c) => errorBody(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return errorBody(c, 500, 'internal error');
  });
  return app;
}
