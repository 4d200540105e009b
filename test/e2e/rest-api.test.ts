import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { kafkaCommand, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres, type PostgresServer } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { restCall as call, startWorker, type WorkerProcess } from '../support/worker.ts';

/** Kafka's own topic tool. */
const topicCommand = (kafka: KafkaBroker, args: string[]) => kafkaCommand(kafka, 'org.apache.kafka.tools.TopicCommand', args);

describe('the REST API: JSON only, authentication, racing creates, restarts, source offsets', () => {
  let kafka: KafkaBroker;
  let pg: PostgresServer;
  let a: WorkerProcess;
  let b: WorkerProcess;
  const run = Date.now();
  const group = `rest-api-${run}`;

  beforeAll(async () => {
    [kafka, pg] = await Promise.all([sharedKafka(), sharedPostgres()]);
    [a, b] = await Promise.all([
      startWorker({ brokers: kafka.bootstrap, connectors: [], group }),
      startWorker({ brokers: kafka.bootstrap, connectors: [], group }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, 60_000);

  const statusOf = async (worker: WorkerProcess, name: string) => (await call(worker, 'GET', `/connectors/${name}/status`)).body;

  test('a cross-site form post cannot create a connector: mutating routes take application/json only (415)', async () => {
    const config = { 'connector.class': 'webhook', topic: `form-${run}` };
    const form = await fetch(`${a.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'form', config: JSON.stringify(config) }),
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error_code: 415, message: expect.stringContaining('application/json') });
    // A form's text/plain encoding can carry a JSON-looking body; multipart is the third form encoding.
    const plain = await fetch(`${a.url}/connectors`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'form', config }) });
    expect(plain.status).toBe(415);
    const multipart = new FormData();
    multipart.set('name', 'form');
    expect((await fetch(`${a.url}/connectors`, { method: 'POST', body: multipart })).status).toBe(415);
    expect((await call(a, 'GET', '/connectors/form')).status).toBe(404);

    // application/json with a charset is JSON; a body-less PUT or DELETE needs no content type (as with Connect).
    const created = await fetch(`${a.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ name: 'form', config }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${a.url}/connectors/form/pause`, { method: 'PUT' })).status).toBe(202);
    const formRestart = await fetch(`${a.url}/connectors/form/restart`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(formRestart.status).toBe(415);
    const formPatch = await fetch(`${a.url}/connectors/form/config`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ ...config, topic: 'other' }) });
    expect(formPatch.status).toBe(415);
    expect((await call(b, 'GET', '/connectors/form/config')).body.topic).toBe(config.topic);
    expect((await fetch(`${a.url}/connectors/form`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(a, 'GET', '/connectors')).body).not.toContain('form');
  }, 60_000);

  test('a worker on a non-loopback address refuses to start without INLET_API_TOKEN, unless INLET_API_AUTH=none', async () => {
    const open = await startWorker({ brokers: kafka.bootstrap, connectors: [], env: { INLET_HOST: '0.0.0.0' }, waitReady: false });
    expect(await open.exited).toBeGreaterThan(0);
    expect(open.output()).toContain('INLET_API_TOKEN');
    expect(open.output()).toContain('INLET_API_AUTH=none');

    const onPurpose = await startWorker({ brokers: kafka.bootstrap, connectors: [], env: { INLET_HOST: '0.0.0.0', INLET_API_AUTH: 'none' } });
    try {
      expect((await call(onPurpose, 'GET', '/connectors')).status).toBe(200);
    } finally {
      await onPurpose.stop();
    }
  }, 90_000);

  test('with INLET_API_TOKEN on a non-loopback address, hono/bearer-auth guards the REST API and not ingest', async () => {
    const token = 'a-long-enough-api-token';
    const guarded = await startWorker({
      brokers: kafka.bootstrap,
      env: { INLET_HOST: '0.0.0.0', INLET_API_TOKEN: token },
      connectors: [{ name: 'open', config: { 'connector.class': 'webhook', topic: `guarded-${run}` } }],
    });
    try {
      const missing = await call(guarded, 'GET', '/connectors');
      expect(missing).toEqual({ status: 401, body: { error_code: 401, message: expect.stringContaining('Bearer') } });
      expect((await call(guarded, 'GET', '/connectors', undefined, { authorization: 'Bearer wrong-token-of-length' })).status).toBe(401);
      expect((await call(guarded, 'GET', '/connectors', undefined, { authorization: 'Basic abc' })).status).toBe(400);
      expect((await call(guarded, 'POST', '/connectors', { name: 'x', config: {} })).status).toBe(401);
      expect((await call(guarded, 'GET', '/connectors', undefined, { authorization: `Bearer ${token}` })).body).toEqual(['open']);
      expect((await guarded.post('/ingest/open', { hello: 'world' })).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  }, 60_000);

  test('two workers creating the same new connector at once: one 201, one 409, and both keep the winner', async () => {
    for (let round = 0; round < 10; round++) {
      const name = `race-${run}-${round}`;
      const configFor = (worker: string) => ({ 'connector.class': 'webhook', topic: `race-${run}-${round}`, 'key.field': worker });
      const [fromA, fromB] = await Promise.all([
        call(a, 'POST', '/connectors', { name, config: configFor('a') }),
        call(b, 'POST', '/connectors', { name, config: configFor('b') }),
      ]);
      expect([fromA.status, fromB.status].sort()).toEqual([201, 409]);
      const [winner, loser] = fromA.status === 201 ? [fromA, fromB] : [fromB, fromA];
      expect(loser.body).toEqual({ error_code: 409, message: `Connector ${name} already exists` });
      const wanted = { name, ...configFor(fromA.status === 201 ? 'a' : 'b') };
      expect(winner.body.config).toEqual(wanted);
      for (const worker of [a, b]) {
        await waitFor(`${worker.url} to hold the winner's config of ${name}`, async () => {
          const got = await call(worker, 'GET', `/connectors/${name}/config`);
          return got.status === 200 && JSON.stringify(got.body) === JSON.stringify(wanted);
        }, { timeoutMs: 15_000 });
      }
    }
    // A worker that joins later replays the config topic and comes to the same configs.
    const late = await startWorker({ brokers: kafka.bootstrap, connectors: [], group });
    try {
      for (let round = 0; round < 10; round++) {
        const name = `race-${run}-${round}`;
        expect((await call(late, 'GET', `/connectors/${name}/config`)).body).toEqual((await call(a, 'GET', `/connectors/${name}/config`)).body);
      }
      // Deleted, a raced name can be created again, once.
      const name = `race-${run}-0`;
      expect((await call(late, 'DELETE', `/connectors/${name}`)).status).toBe(204);
      const again = await Promise.all([a, b].map((w) => call(w, 'POST', '/connectors', { name, config: { 'connector.class': 'webhook', topic: `again-${run}` } })));
      expect(again.map((r) => r.status).sort()).toEqual([201, 409]);
    } finally {
      await late.stop();
    }
  }, 180_000);

  test('restart without includeTasks restarts the connector: a sink whose database was missing runs once it exists', async () => {
    const database = `rest_restart_${run}`;
    const topic = `restart-sink-${run}`;
    const url = new URL(pg.url);
    url.pathname = `/${database}`;
    expect((await call(a, 'POST', '/connectors', { name: 'rs-src', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id' } })).status).toBe(201);
    const sinkConfig = {
      'connector.class': 'database-sink',
      topics: topic,
      'table.name.format': 'payments',
      'primary.key.fields': 'id',
      'connection.url': url.toString(),
      'errors.retry.timeout': '0',
    };
    expect((await call(a, 'POST', '/connectors', { name: 'rs-sink', config: sinkConfig })).status).toBe(201);
    const failed = await waitFor('the sink connector FAILED on B, naming the missing database', async () => {
      const s = await statusOf(b, 'rs-sink');
      return s.connector.state === 'FAILED' && s;
    }, { timeoutMs: 30_000 });
    expect(failed.connector.trace).toContain(database);

    await pg.createDatabase(database);
    const restarted = await call(b, 'POST', '/connectors/rs-sink/restart');
    expect(restarted).toEqual({ status: 204, body: null });
    await waitFor('the restarted sink connector and its task RUNNING', async () => {
      const s = await statusOf(a, 'rs-sink');
      return s.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING';
    }, { timeoutMs: 60_000 });
    expect(await (await a.post('/ingest/rs-src', { id: 1, amount: 5 })).json()).toEqual({ accepted: 1, duplicates: 0 });
    await waitFor('the row in the database', async () => (await postgresRows(url.toString(), 'SELECT id FROM payments'))?.length === 1, { timeoutMs: 30_000 });

    // A record the table cannot take fails the task; fixed, onlyFailed restarts only the task.
    expect((await b.post('/ingest/rs-src', { id: 2, amount: 'a lot' })).status).toBe(200);
    await waitFor('the sink task FAILED', async () => (await statusOf(a, 'rs-sink')).tasks[0]?.state === 'FAILED', { timeoutMs: 30_000 });
    await postgresRows(url.toString(), 'ALTER TABLE payments ALTER COLUMN amount TYPE text');
    const plan = await call(a, 'POST', '/connectors/rs-sink/restart?includeTasks=true&onlyFailed=true');
    expect(plan.status).toBe(202);
    expect(plan.body).toMatchObject({ name: 'rs-sink', type: 'sink', connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RESTARTING' }] });
    await waitFor('the restarted task RUNNING and the record applied', async () => {
      const rows = await postgresRows(url.toString(), 'SELECT id FROM payments');
      return (await statusOf(b, 'rs-sink')).tasks[0]?.state === 'RUNNING' && rows?.length === 2;
    }, { timeoutMs: 60_000 });
  }, 180_000);

  test('restart rebuilds a FAILED source connector once its cause is fixed (202 with the plan)', async () => {
    // Kafka refuses a topic whose name collides with an existing one ("." vs "_").
    const topic = `restart.src.${run}`;
    const blocker = topic.replaceAll('.', '_');
    await topicCommand(kafka, ['--create', '--topic', blocker, '--partitions', '1']);
    expect((await call(a, 'POST', '/connectors', { name: 'rsrc', config: { 'connector.class': 'webhook', topic, 'offset.field': 'id' } })).status).toBe(201);
    const failed = await waitFor('the source FAILED on B', async () => {
      const s = await statusOf(b, 'rsrc');
      return s.connector.state === 'FAILED' && s.tasks[0]?.state === 'FAILED' && s;
    }, { timeoutMs: 30_000 });
    expect(failed.connector.trace).toContain('collides');
    // A FAILED source keeps its config: a push is 503 with Retry-After (the sender holds it until a
    // restart fixes the source), not 404, and the public answer does not carry the failure's trace.
    for (const worker of [a, b]) {
      const refused = await waitFor('a push to the FAILED source refused as FAILED', async () => {
        const response = await worker.post('/ingest/rsrc', { id: 1 });
        const body = (await response.json()) as { error_code: number; message: string };
        return body.message.includes('FAILED') && { status: response.status, retryAfter: response.headers.get('retry-after'), body };
      }, { timeoutMs: 30_000 });
      expect(refused).toMatchObject({ status: 503, body: { error_code: 503 } });
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body.message).not.toContain('collides');
    }

    await topicCommand(kafka, ['--delete', '--topic', blocker]);
    // Until a worker serves the source again its status must not say RUNNING, and a push meanwhile
    // is 503 with Retry-After (the sender retries), never 404. Both workers are watched tightly from
    // before the restart is asked for, as the window is short (ensuring the topic, following it).
    // Kafka deletes a topic in the background: a restart that still meets it fails again and is retried.
    const serving = new Set<WorkerProcess>();
    const wrong: unknown[] = [];
    let restartedAt: number | undefined;
    const watching = waitFor('the source RUNNING and taking pushes on both workers', async () => {
      for (const worker of [a, b]) {
        if (serving.has(worker)) continue;
        const state = (await statusOf(worker, 'rsrc')).connector.state;
        if (state === 'FAILED') {
          if (restartedAt !== undefined && Date.now() - restartedAt > 1000) {
            restartedAt = Date.now();
            await call(b, 'POST', '/connectors/rsrc/restart?includeTasks=true&onlyFailed=true');
          }
          continue;
        }
        const push = await worker.post('/ingest/rsrc', { id: `from-${worker.port}` });
        const answer = { state, status: push.status, retryAfter: push.headers.get('retry-after'), body: await push.json() };
        if (push.status === 200 && JSON.stringify(answer.body) === JSON.stringify({ accepted: 1, duplicates: 0 })) serving.add(worker);
        else if (state !== 'RESTARTING' || push.status !== 503 || answer.retryAfter === null || !String(answer.body.message).includes('restarting')) wrong.push({ port: worker.port, ...answer });
      }
      return serving.size === 2 || wrong.length > 0;
    }, { timeoutMs: 60_000, intervalMs: 10 });
    restartedAt = Date.now();
    const [plan] = await Promise.all([call(a, 'POST', '/connectors/rsrc/restart?includeTasks=true&onlyFailed=true'), watching]);
    expect(plan.status).toBe(202);
    expect(plan.body).toMatchObject({ name: 'rsrc', type: 'source', connector: { state: 'RESTARTING' }, tasks: [{ id: 0, state: 'RESTARTING' }] });
    expect(wrong).toEqual([]);
  }, 120_000);

  test('source offsets that decide nothing cannot be altered or reset: 400 saying why, and retries stay duplicates', async () => {
    const topic = `offsets-src-${run}`;
    expect((await call(a, 'POST', '/connectors', { name: 'osrc', config: { 'connector.class': 'webhook', topic, 'offset.field': 'id' } })).status).toBe(201);
    expect(await (await a.post('/ingest/osrc', { id: 'evt-1' })).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await call(b, 'PUT', '/connectors/osrc/stop')).status).toBe(202);
    await waitFor('the source STOPPED on A', async () => (await statusOf(a, 'osrc')).connector.state === 'STOPPED', { timeoutMs: 15_000 });
    const stored = await waitFor('the stored source offset', async () => {
      const offsets = (await call(a, 'GET', '/connectors/osrc/offsets')).body.offsets;
      return offsets.length === 1 && offsets;
    }, { timeoutMs: 15_000 });
    expect(stored).toEqual([{ partition: { partition: 'osrc' }, offset: { offset: 'evt-1' } }]);

    const altered = await call(a, 'PATCH', '/connectors/osrc/offsets', { offsets: [{ partition: { partition: 'osrc' }, offset: { offset: 'evt-0' } }] });
    const reset = await call(b, 'DELETE', '/connectors/osrc/offsets');
    for (const refused of [altered, reset]) {
      expect(refused.status).toBe(400);
      expect(refused.body.error_code).toBe(400);
      expect(refused.body.message).toContain('dedupe.window.ms');
    }
    expect((await call(a, 'GET', '/connectors/osrc/offsets')).body.offsets).toEqual(stored);
    expect((await call(a, 'PUT', '/connectors/osrc/resume')).status).toBe(202);
    await waitFor('A taking pushes again', async () => (await statusOf(a, 'osrc')).connector.state === 'RUNNING', { timeoutMs: 15_000 });
    expect(await (await a.post('/ingest/osrc', { id: 'evt-1' })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
  }, 90_000);
});
