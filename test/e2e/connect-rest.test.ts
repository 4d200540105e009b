import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteNumber } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { restCall as call, startWorker, type WorkerProcess } from '../support/worker.ts';

interface ErrorBody {
  error_code: number;
  message: string;
}

describe('the Kafka-Connect REST API on a 2-worker cluster', () => {
  let kafka: KafkaBroker;
  let a: WorkerProcess;
  let b: WorkerProcess;
  let sqlitePath: string;
  const group = `rest-${Date.now()}`;
  const topic = `rest-orders-${Date.now()}`;
  const source = { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id', 'topic.creation.default.partitions': '2' };
  let sink: Record<string, string>;

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('rest'), 'rows.db');
    sink = { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}`, 'tasks.max': '2' };
    [a, b] = await Promise.all([
      startWorker({ brokers: kafka.bootstrap, connectors: [], group }),
      startWorker({ brokers: kafka.bootstrap, connectors: [], group }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, 60_000);

  const rowCount = () => sqliteNumber(sqlitePath, 'SELECT count(*) AS n FROM orders');
  /**
   * Pushes to `orders` at `worker` once it serves the source: a worker restoring the source's
   * dedupe window (it was just created, or resumed) answers 503 "not ready" with Retry-After and
   * writes nothing, and a sender sends the push again. Any other answer is returned.
   */
  const pushOnceServed = (worker: WorkerProcess, records: unknown[]) =>
    waitFor(`${worker.url} to serve orders (503 while it restores the dedupe window)`, async () => {
      const response = await worker.post('/ingest/orders', records);
      if (response.status !== 503) return response;
      const refusal = (await response.json()) as { message: string };
      if (!/not ready: (starting|restoring dedupe window)$/.test(refusal.message)) throw new Error(`503 for another reason: ${refusal.message}`);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      return undefined;
    });
  const statusOf = async (worker: WorkerProcess, name: string) => (await call(worker, 'GET', `/connectors/${name}/status`)).body;

  test('version and plugins', async () => {
    expect((await call(a, 'GET', '/')).body.version).toMatch(/^\d+\.\d+\.\d+/);
    const plugins = (await call(b, 'GET', '/connector-plugins')).body as { class: string; type: string }[];
    expect(plugins).toContainEqual(expect.objectContaining({ class: 'webhook', type: 'source' }));
    expect(plugins).toContainEqual(expect.objectContaining({ class: 'database-sink', type: 'sink' }));
  });

  test('a connector created through worker A runs and is visible from worker B', async () => {
    const created = await call(a, 'POST', '/connectors', { name: 'orders', config: source });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'orders', type: 'source', tasks: [{ connector: 'orders', task: 0 }] });
    expect((await call(a, 'POST', '/connectors', { name: 'orders-sink', config: sink })).status).toBe(201);

    await waitFor('B to list both connectors', async () => {
      const names = (await call(b, 'GET', '/connectors')).body as string[];
      return names.includes('orders') && names.includes('orders-sink');
    });
    expect((await call(b, 'GET', '/connectors/orders/config')).body).toEqual({ name: 'orders', ...source });
    const expanded = (await call(b, 'GET', '/connectors?expand=status&expand=info')).body;
    expect(expanded['orders-sink'].info.type).toBe('sink');
    // The whole connector status: were it FAILED, its trace says why.
    expect(expanded['orders-sink'].status.connector).toMatchObject({ state: 'RUNNING' });

    // B serves the source A created once it has restored the source's dedupe window; until then it
    // answers 503 with Retry-After and writes nothing, and a sender sends the push again, as here.
    // The sink's two tasks run somewhere in the cluster.
    const pushed = await pushOnceServed(b, [{ id: 1, total: 5 }, { id: 2, total: 7 }]);
    expect(await pushed.json()).toEqual({ accepted: 2, duplicates: 0 });
    await waitFor('rows from the sink', () => rowCount() === 2);
    // Kafka's group protocol gives each of the two workers one of the two task slots.
    const status = await waitFor('both sink tasks RUNNING, one on each worker', async () => {
      const s = await statusOf(b, 'orders-sink');
      const ports = new Set(s.tasks.map((t: { worker_id: string }) => t.worker_id.split(':').pop()));
      if (s.tasks.length === 2 && s.tasks.every((t: { state: string }) => t.state === 'RUNNING') && ports.size === 2) return s;
      // Thrown, the status is what a timeout reports (a connector FAILED on one worker, with its trace).
      throw new Error(`status: ${JSON.stringify(s)}; worker A: ${JSON.stringify((await statusOf(a, 'orders-sink')).connector)}`);
    });
    expect(new Set(status.tasks.map((t: { worker_id: string }) => Number(t.worker_id.split(':').pop())))).toEqual(new Set([a.port, b.port]));
    expect((await call(a, 'GET', '/connectors/orders-sink/tasks')).body.map((t: { id: unknown }) => t.id)).toEqual([
      { connector: 'orders-sink', task: 0 },
      { connector: 'orders-sink', task: 1 },
    ]);
    expect((await call(a, 'GET', '/connectors/orders-sink/tasks/1/status')).body.state).toBe('RUNNING');
    expect((await call(a, 'GET', '/connectors/orders-sink/topics')).body).toEqual({ 'orders-sink': { topics: [topic] } });
  }, 240_000);

  test('bad bodies, unknown names and duplicate names get Connect error bodies', async () => {
    const missingName = await call(a, 'POST', '/connectors', { config: source });
    expect(missingName.status).toBe(400);
    expect((missingName.body as ErrorBody).error_code).toBe(400);
    const badJson = await call(a, 'POST', '/connectors', '{"name": ');
    expect(badJson.status).toBe(400);
    const badConfig = await call(a, 'POST', '/connectors', { name: 'broken', config: { ...source, topic: 'no spaces allowed' } });
    expect(badConfig.status).toBe(400);
    expect((badConfig.body as ErrorBody).message).toContain('topic: is not a valid Kafka topic name');
    const duplicate = await call(b, 'POST', '/connectors', { name: 'orders', config: source });
    expect(duplicate.status).toBe(409);
    for (const [method, path] of [
      ['GET', '/connectors/nobody'],
      ['GET', '/connectors/nobody/status'],
      ['PUT', '/connectors/nobody/pause'],
      ['DELETE', '/connectors/nobody'],
      ['GET', '/connectors/orders-sink/tasks/7/status'],
    ] as const) {
      const response = await call(a, method, path);
      expect(response.status).toBe(404);
      expect((response.body as ErrorBody).error_code).toBe(404);
    }
  });

  test('PUT config creates then updates; validate reports per field', async () => {
    const config = { ...source, topic: `${topic}-extra` };
    expect((await call(a, 'PUT', '/connectors/extra/config', config)).status).toBe(201);
    expect((await call(b, 'PUT', '/connectors/extra/config', { ...config, 'key.field': 'sku' })).status).toBe(200);
    await waitFor('A to see the update', async () => (await call(a, 'GET', '/connectors/extra/config')).body['key.field'] === 'sku');
    const patched = await call(a, 'PATCH', '/connectors/extra/config', { 'key.field': null, 'required.fields': 'sku' });
    expect(patched.status).toBe(200);
    expect(patched.body.config['key.field']).toBeUndefined();
    expect(patched.body.config['required.fields']).toBe('sku');

    const report = await call(b, 'PUT', '/connector-plugins/webhook/config/validate', { topic: 'bad topic', 'dedupe.window.ms': 'soon' });
    expect(report.status).toBe(200);
    expect(report.body.error_count).toBe(2);
    const errors = Object.fromEntries(
      (report.body.configs as { value: { name: string; errors: string[] } }[]).map((c) => [c.value.name, c.value.errors]),
    );
    expect(errors.topic).toEqual(['is not a valid Kafka topic name']);
    expect(errors['dedupe.window.ms']!.length).toBe(1);
    expect(errors['key.field']).toEqual([]);
    expect((await call(b, 'PUT', '/connector-plugins/nonesuch/config/validate', {})).status).toBe(404);
    expect((await call(a, 'DELETE', '/connectors/extra')).status).toBe(204);
  }, 120_000);

  test('pause, resume, stop and restart change what runs, and status shows it within seconds', async () => {
    expect((await call(a, 'PUT', '/connectors/orders-sink/pause')).status).toBe(202);
    await waitFor('sink PAUSED on B', async () => {
      const s = await statusOf(b, 'orders-sink');
      return s.connector.state === 'PAUSED' && s.tasks.every((t: { state: string }) => t.state === 'PAUSED');
    });
    expect(await (await pushOnceServed(a, [{ id: 3, total: 1 }])).json()).toEqual({ accepted: 1, duplicates: 0 });
    // A probe sink on the same topic applies the record: the paused one, which would have by then, did not.
    const probePath = join(tempDir('rest-probe'), 'probe.db');
    const probe = { ...sink, 'connection.url': `sqlite:${probePath}`, 'tasks.max': '1' };
    expect((await call(b, 'POST', '/connectors', { name: 'orders-probe', config: probe })).status).toBe(201);
    await waitFor('the probe sink to apply the record pushed during the pause', () => sqliteNumber(probePath, 'SELECT count(*) AS n FROM orders WHERE id = 3') === 1);
    expect(rowCount()).toBe(2);
    expect((await call(a, 'DELETE', '/connectors/orders-probe')).status).toBe(204);
    expect((await call(b, 'PUT', '/connectors/orders-sink/resume')).status).toBe(202);
    await waitFor('the paused record applied after resume', () => rowCount() === 3);

    expect((await call(b, 'PUT', '/connectors/orders/pause')).status).toBe(202);
    await waitFor('ingest refused on A while the source is paused', async () => (await a.post('/ingest/orders', [{ id: 4 }])).status === 503);
    expect((await call(a, 'PUT', '/connectors/orders/resume')).status).toBe(202);
    await waitFor('ingest accepted on B after resume', async () => (await b.post('/ingest/orders', [{ id: 4 }])).status === 200);

    const restarted = await call(a, 'POST', '/connectors/orders-sink/restart?includeTasks=true');
    expect(restarted.status).toBe(202);
    expect(restarted.body.name).toBe('orders-sink');
    expect((await call(a, 'POST', '/connectors/orders-sink/tasks/0/restart')).status).toBe(204);
    expect((await call(a, 'POST', '/connectors/orders-sink/restart')).status).toBe(204);
    await waitFor('rows after restarts', () => rowCount() === 4);
  }, 360_000);

  test('offsets change only while STOPPED, and deleting stops the connector everywhere', async () => {
    const running = await call(b, 'PATCH', '/connectors/orders-sink/offsets', { offsets: [] });
    expect(running.status).toBe(400);
    expect(running.body.message).toContain('STOPPED');

    // What Kafka holds, whichever of the pause probes above were accepted, is what the sink must
    // have applied before it stops (offsets are stored with the rows, batch by batch).
    type SinkOffsets = { partition: { kafka_topic: string; kafka_partition: number }; offset: { kafka_offset: number } }[];
    const end = await endOffsets(kafka, topic);
    const atEnd = (offsets: SinkOffsets) =>
      offsets.length === end.size && offsets.every((o) => o.partition.kafka_topic === topic && end.get(o.partition.kafka_partition) === o.offset.kafka_offset);
    await waitFor('the sink offsets at the end of the topic', async () => atEnd((await call(a, 'GET', '/connectors/orders-sink/offsets')).body.offsets));

    expect((await call(a, 'PUT', '/connectors/orders-sink/stop')).status).toBe(202);
    await waitFor('sink STOPPED with no tasks', async () => {
      const s = await statusOf(b, 'orders-sink');
      return s.connector.state === 'STOPPED' && s.tasks.length === 0;
    });
    const offsets = (await call(a, 'GET', '/connectors/orders-sink/offsets')).body.offsets as SinkOffsets;
    expect(atEnd(offsets)).toBe(true);
    expect(offsets.reduce((n, o) => n + o.offset.kafka_offset, 0)).toBeGreaterThanOrEqual(4);
    expect((await call(a, 'DELETE', '/connectors/orders-sink/offsets')).status).toBe(200);
    const reset = (await call(b, 'GET', '/connectors/orders-sink/offsets')).body.offsets as SinkOffsets;
    expect(reset.map((o) => o.offset.kafka_offset)).toEqual([...end.keys()].map(() => 0));

    const sourceOffsets = (await call(a, 'GET', '/connectors/orders/offsets')).body.offsets;
    expect(sourceOffsets).toEqual([{ partition: { partition: 'orders' }, offset: { offset: expect.any(String) } }]);

    expect((await call(b, 'DELETE', '/connectors/orders')).status).toBe(204);
    await waitFor('A to stop serving the deleted source', async () => (await a.post('/ingest/orders', [{ id: 9 }])).status === 404);
    expect((await call(a, 'GET', '/connectors')).body).not.toContain('orders');
  }, 240_000);

  test('an API token protects the REST API but not ingest', async () => {
    const token = 'a-long-enough-api-token';
    const guarded = await startWorker({
      brokers: kafka.bootstrap,
      env: { INLET_API_TOKEN: token },
      connectors: [{ name: 'open', config: { 'connector.class': 'webhook', topic: `${topic}-open` } }],
    });
    try {
      expect((await call(guarded, 'GET', '/connectors')).status).toBe(401);
      expect((await call(guarded, 'GET', '/connectors', undefined, { authorization: 'Bearer wrong-token-of-length' })).status).toBe(401);
      expect((await call(guarded, 'GET', '/connectors', undefined, { authorization: `Bearer ${token}` })).body).toEqual(['open']);
      expect((await guarded.post('/ingest/open', { hello: 'world' })).status).toBe(200);
      expect((await call(guarded, 'GET', '/health')).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  }, 60_000);
});
