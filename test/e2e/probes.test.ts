import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startKafka, type KafkaBroker } from '../support/kafka.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

interface Probe {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the probe, checked by the test
  body: any;
  retryAfter: string | null;
}

/** GET a probe; null while nothing listens (the worker has not opened its port yet). */
async function probe(worker: WorkerProcess, path: '/health' | '/ready' | '/livez'): Promise<Probe | null> {
  const response = await fetch(`${worker.url}${path}`).catch(() => null);
  if (!response) return null;
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') };
}

const reasonsOf = (ready: Probe | null): { connector?: string; component?: string; reason: string }[] => ready?.body?.reasons ?? [];

describe('probes: /livez (liveness), /health (KIP-1017) and /ready', () => {
  // A broker of its own: the last test stops it.
  let kafka: KafkaBroker;
  let pg: PostgresServer;
  const group = `probes-${Date.now()}`;
  const orders: ConnectorSpec = {
    name: 'orders',
    config: { 'connector.class': 'webhook', topic: 'orders', 'key.field': 'id', 'offset.field': 'id', 'topic.creation.default.partitions': 3 },
  };
  const running: WorkerProcess[] = [];
  // The restore tests share a cluster (its topics hold the window); the others have one each.
  const launch = async (connectors: ConnectorSpec[], options: { waitReady?: boolean; dbUrl?: string; group?: string; env?: Record<string, string> } = {}) => {
    const worker = await startWorker({ brokers: kafka.bootstrap, connectors, group, ...options });
    running.push(worker);
    return worker;
  };

  beforeAll(async () => {
    [kafka, pg] = await Promise.all([startKafka(), startPostgres()]);
  }, 180_000);

  afterAll(async () => {
    for (const worker of running) if (worker.proc.exitCode === null && worker.proc.signalCode === null) await worker.stop();
  }, 60_000);

  test('the listener answers at once: /ready and pushes wait for the dedupe window to restore, /health says starting', async () => {
    // Enough source offsets in the topic that restoring them takes a while.
    const seeder = await launch([orders]);
    const batch = 5_000;
    const batches = 60;
    const ndjson = (from: number) => Array.from({ length: batch }, (_, i) => JSON.stringify({ id: `seed-${from + i}` })).join('\n');
    for (let b = 0; b < batches; b++) {
      const response = await seeder.post('/ingest/orders', ndjson(b * batch), { 'content-type': 'application/x-ndjson' });
      expect(response.status).toBe(200);
    }
    expect(await seeder.stop()).toBe(0);

    const worker = await launch([orders], { waitReady: false });
    const push = JSON.stringify({ id: 'new-during-restore' });
    // Asked in this order, a /ready that still says restoring proves the two before came during the restore.
    const during = await waitFor(
      '/ready to say orders is restoring its dedupe window',
      async () => {
        const health = await probe(worker, '/health');
        if (!health) return null;
        const live = await probe(worker, '/livez');
        const response = await worker.post('/ingest/orders', push);
        const refused = { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
        // Refused at an earlier stage (not joined yet, the source's topic being ensured): ask again.
        if (response.status === 503 && /has not joined its cluster|is not ready: starting$/.test(refused.body.message)) return null;
        const ready = await probe(worker, '/ready');
        const restoring = reasonsOf(ready).some((r) => r.connector === 'orders' && r.reason === 'restoring dedupe window');
        return restoring && { health, live, refused, ready: ready! };
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    expect(during.ready.status).toBe(503);
    expect(during.ready.body.status).toBe('not ready');
    expect(Number(during.ready.retryAfter)).toBeGreaterThan(0);
    expect(during.health).toEqual({ status: 503, body: { status: 'starting', message: 'Worker is still starting up.' }, retryAfter: null });
    // Alive while it starts: a liveness probe on /livez does not restart a worker restoring its window.
    expect(during.live).toEqual({ status: 200, body: { status: 'live' }, retryAfter: null });
    expect(during.refused.status).toBe(503);
    expect(Number(during.refused.retryAfter)).toBeGreaterThan(0);
    expect(during.refused.body.message).toBe('connector "orders" is not ready: restoring dedupe window');

    const ready = await waitFor('/ready to answer 200', async () => {
      const answer = await probe(worker, '/ready');
      return answer?.status === 200 && answer;
    }, { timeoutMs: 120_000 });
    expect(ready.body).toEqual({ status: 'ready' });
    expect((await probe(worker, '/health'))?.status).toBe(200);
    // The push refused during the restore is taken now, and the restored window knows the seeded ones.
    expect(await (await worker.post('/ingest/orders', push)).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await (await worker.post('/ingest/orders', { id: 'seed-0' })).json()).toEqual({ accepted: 0, duplicates: 1, duplicate: true });
    await waitFor('the restore logged', () => /connector orders: \d+ recent source offsets restored from Kafka in \d+ ms/.exec(worker.output()));
    expect(await worker.stop()).toBe(0);
  }, 300_000);

  // The stop used to wait for the restore to end (it queued behind it), and a restore slower than
  // the drain's 25 s deadline (a loaded machine) made the worker exit 1. It is given up now.
  test('a SIGTERM during the restore gives the restore up, drains and exits 0', async () => {
    const worker = await launch([orders], { waitReady: false });
    await waitFor(
      '/ready to say orders is restoring',
      async () => reasonsOf(await probe(worker, '/ready')).some((r) => r.connector === 'orders' && r.reason === 'restoring dedupe window'),
      { intervalMs: 20 },
    );
    const code = await worker.stop();
    // What the worker said, when it did not exit 0: the drain's deadline, or a failure.
    expect({ code, output: code === 0 ? '' : worker.output() }).toEqual({ code: 0, output: '' });
    expect(worker.output()).toContain('SIGTERM: draining');
    expect(worker.output()).toContain('connector orders: start given up, the worker is stopping');
    expect(worker.output()).not.toMatch(/recent source offsets restored/);
  }, 120_000);

  test('/ready is 503 naming the sink connector while its PostgreSQL is stopped, and 200 again once it is back', async () => {
    const dbUrl = await pg.createDatabase('probes');
    const sink: ConnectorSpec = { name: 'orders-sink', config: { 'connector.class': 'database-sink', topics: 'orders', 'primary.key.fields': 'id' } };
    const worker = await launch([{ ...orders, config: { ...orders.config, 'dedupe.window.ms': 0 } }, sink], {
      dbUrl,
      group: `${group}-sink`,
      env: { INLET_API_TOKEN: 'a-long-enough-api-token' },
    });
    // Kubelets send no token: the probes answer without one where the REST API wants it.
    expect((await fetch(`${worker.url}/connectors`)).status).toBe(401);
    expect((await probe(worker, '/livez'))?.status).toBe(200);
    await waitFor('/ready to answer 200', async () => (await probe(worker, '/ready'))?.status === 200);

    await pg.stop();
    try {
      const down = await waitFor('/ready to name orders-sink', async () => {
        const answer = await probe(worker, '/ready');
        return reasonsOf(answer).some((r) => r.connector === 'orders-sink') && answer;
      });
      expect(down.status).toBe(503);
      expect(reasonsOf(down)).toEqual([{ connector: 'orders-sink', reason: expect.stringMatching(/^database not answering/) }]);
      expect(Number(down.retryAfter)).toBeGreaterThan(0);
      // Liveness is not readiness: the worker itself is fine.
      expect((await probe(worker, '/health'))?.status).toBe(200);
    } finally {
      // Back for the next test too, whatever happened here.
      await pg.start();
    }
    await waitFor('/ready to answer 200 again', async () => (await probe(worker, '/ready'))?.status === 200, { timeoutMs: 60_000 });
    expect(await worker.stop()).toBe(0);
  }, 180_000);

  test('/ready answers 503 in time, naming the sink connector, while its PostgreSQL hangs', async () => {
    const dbUrl = await pg.createDatabase('probes_hung');
    const sink: ConnectorSpec = { name: 'hung-sink', config: { 'connector.class': 'database-sink', topics: 'orders', 'primary.key.fields': 'id' } };
    const worker = await launch([sink], { dbUrl, group: `${group}-hung` });
    await waitFor('/ready to answer 200', async () => (await probe(worker, '/ready'))?.status === 200);

    await pg.freeze();
    try {
      const started = Date.now();
      const hung = await probe(worker, '/ready');
      // The probe waits 2 s for the database; a hung probe would wait for the database.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(hung?.status).toBe(503);
      expect(reasonsOf(hung)).toEqual([{ connector: 'hung-sink', reason: 'database did not answer within 2000 ms' }]);
    } finally {
      await pg.thaw();
    }
    await waitFor('/ready to answer 200 again', async () => (await probe(worker, '/ready'))?.status === 200, { timeoutMs: 60_000 });
    expect(await worker.stop()).toBe(0);
  }, 180_000);

  test('while the broker is stopped /ready is 503 naming kafka and /health 500 unhealthy, /livez stays 200; all 200 again once it is back', async () => {
    const worker = await launch([{ ...orders, config: { ...orders.config, 'dedupe.window.ms': 0 } }], { group: `${group}-kafka` });
    await waitFor('/ready to answer 200', async () => (await probe(worker, '/ready'))?.status === 200);

    await kafka.stop();
    const down = await waitFor('/ready to name kafka', async () => {
      const answer = await probe(worker, '/ready');
      return reasonsOf(answer).some((r) => r.component === 'kafka') && answer;
    }, { timeoutMs: 60_000 });
    expect(down.status).toBe(503);
    expect(reasonsOf(down)).toContainEqual({ component: 'kafka', reason: 'unreachable' });
    // KIP-1017: 500 unhealthy (503 is "starting"). Liveness is not Kafka's: a restart would not bring it back.
    const unhealthy = await waitFor('/health to say unhealthy', async () => {
      const answer = await probe(worker, '/health');
      return answer?.body?.status === 'unhealthy' && answer;
    }, { timeoutMs: 60_000 });
    expect(unhealthy).toEqual({ status: 500, body: { status: 'unhealthy', message: 'Kafka is unreachable' }, retryAfter: null });
    expect(await probe(worker, '/livez')).toEqual({ status: 200, body: { status: 'live' }, retryAfter: null });

    await kafka.start();
    await waitFor('/ready to answer 200 again', async () => (await probe(worker, '/ready'))?.status === 200, { timeoutMs: 90_000, intervalMs: 500 });
    expect((await probe(worker, '/health'))?.status).toBe(200);
    expect(await worker.stop()).toBe(0);
  }, 240_000);
});
