import { Hono } from 'hono';

/** What `/ready` names: a part of the worker (kafka, the worker itself) or a connector, and what is wrong with it. */
export type NotReadyReason = { component: string; reason: string } | { connector: string; reason: string };

export interface ProbeDeps {
  /** A broker answers the worker's producer. */
  kafkaAvailable(): boolean;
  /** Startup has completed (KIP-1017): the worker joined its cluster and started its connectors. */
  started(): boolean;
  /** Why the worker should get no traffic now; empty when ready. Its own timeouts bound it. */
  notReady(): Promise<NotReadyReason[]>;
}

// Probes come every few seconds; a restore or an outage is not over sooner.
const NOT_READY_RETRY_AFTER_SECONDS = 5;

/**
 * The probes. All answer without the REST API's token: kubelets and load balancers send none.
 * `/health` is Kafka Connect's (KIP-1017): 503 `starting` until startup completes, 200 once it has,
 * and 500 `unhealthy` while Kafka is unreachable. `/livez` (Kubernetes' name) is liveness alone:
 * 200 whenever the event loop serves a request, starting or not, Kafka or not, since restarting a
 * worker cures neither a slow start nor a Kafka outage (it only makes the worker restore its dedupe
 * windows again). `/ready` says whether to send this worker pushes: 200 only when Kafka answers,
 * every source has its dedupe window and every sink's database answers; otherwise 503 naming each
 * reason.
 */
export function probeRoutes(deps: ProbeDeps) {
  const app = new Hono();
  app.get('/livez', (c) => c.json({ status: 'live' }, 200));
  app.get('/health', (c) => {
    if (!deps.started()) return c.json({ status: 'starting', message: 'Worker is still starting up.' }, 503);
    if (!deps.kafkaAvailable()) return c.json({ status: 'unhealthy', message: 'Kafka is unreachable' }, 500);
    return c.json({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }, 200);
  });
  app.get('/ready', async (c) => {
    const reasons = await deps.notReady();
    if (reasons.length === 0) return c.json({ status: 'ready' }, 200);
    c.header('Retry-After', String(NOT_READY_RETRY_AFTER_SECONDS));
    return c.json({ status: 'not ready', reasons }, 503);
  });
  return app;
}
