import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { restCall, startWorker, WORKER_RUNTIME, type WorkerProcess } from '../support/worker.ts';

const SECRETS = {
  token: `token-${crypto.randomUUID()}`,
  dbPassword: `pw-${crypto.randomUUID()}`,
};

type LogLine = Record<string, unknown> & { level: string; msg: string };

/** Every line the worker printed, each parsed as JSON: a line that is not JSON fails here, quoted. */
function logLines(worker: WorkerProcess): LogLine[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`the worker printed a line that is not JSON: ${line}`);
      }
    });
}

describe("the worker's logs: JSON lines that carry the connector and task, never a secret", () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let dbUrl: string;
  const run = Date.now();
  const topic = `logs-orders-${run}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    const pg = await sharedPostgres();
    // The test server trusts local connections, so any password connects: what matters is where it shows.
    const url = new URL(await pg.createDatabase(`structured_logs_${run}`));
    url.password = SECRETS.dbPassword;
    dbUrl = url.toString();
    worker = await startWorker({ brokers: kafka.bootstrap, connectors: [] });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('the first line names the runtime and the Kafka backend the worker runs on', () => {
    const [first] = logLines(worker);
    // Bun and Deno reach librdkafka over FFI, Node through the addon: an operator must see which.
    expect(first).toMatchObject({
      level: 'info',
      runtime: WORKER_RUNTIME,
      backend: WORKER_RUNTIME === 'node' ? 'addon' : 'ffi',
      server: { node: 'node:http', bun: 'Bun.serve', deno: 'Deno.serve' }[WORKER_RUNTIME],
      runtime_version: WORKER_RUNTIME === 'bun' ? Bun.version : expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
    expect(first?.msg).toContain('listening on');
  });

  test('a pipeline created through the REST API, pushed to, and failing records logs JSON only', async () => {
    const source = await restCall(worker, 'POST', '/connectors', {
      name: 'orders',
      config: { 'connector.class': 'webhook', topic, 'offset.field': 'id', 'auth.type': 'bearer', 'auth.tokens': SECRETS.token, 'topic.creation.default.partitions': 1 },
    });
    expect(source.status).toBe(201);
    const sink = await restCall(worker, 'POST', '/connectors', {
      name: 'orders-sink',
      config: {
        'connector.class': 'database-sink',
        topics: topic,
        'connection.url': dbUrl,
        'table.name.format': 'orders',
        'primary.key.fields': 'id',
        // A field no PostgreSQL column can hold whole is an errant record: logged, set aside.
        'errors.tolerance': 'all',
        'errors.log.enable': true,
      },
    });
    expect(sink.status).toBe(201);

    const tooLong = 'x'.repeat(80);
    const push = await worker.post('/ingest/orders', [{ id: 1, amount: 3 }, { id: 2, [tooLong]: 1 }, { id: 3, amount: 5 }], { authorization: `Bearer ${SECRETS.token}` });
    expect(push.status).toBe(200);
    await waitFor('the good records in the table', async () => (await postgresRows(dbUrl, 'SELECT id FROM orders').catch(() => [])).length === 2, { timeoutMs: 60_000 });

    // The errant record's line comes from the task: it carries the connector and the task.
    const errant = await waitFor('the log reporter to log the errant record', () =>
      logLines(worker).find((line) => line.connector === 'orders-sink' && line.task === 0 && line.msg.includes('skipping errant record')),
    );
    expect(errant).toMatchObject({ level: 'warn', topic, partition: 0, stage: 'TASK_PUT' });
    // ... and the worker it runs on (Connect's worker id, host:port).
    expect(String(errant.worker)).toEndWith(`:${worker.port}`);

    // A sink whose database does not exist fails on this worker; its URL (and password) is in its config.
    const missing = new URL(dbUrl);
    missing.pathname = `/no_such_database_${run}`;
    const broken = await restCall(worker, 'POST', '/connectors', {
      name: 'broken-sink',
      config: { 'connector.class': 'database-sink', topics: topic, 'connection.url': missing.toString(), 'primary.key.fields': 'id' },
    });
    expect(broken.status).toBe(201);
    await waitFor('the broken sink logged', () => logLines(worker).find((line) => line.connector === 'broken-sink' && line.level === 'error'));

    const output = worker.output();
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
    const lines = logLines(worker);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.msg).toBe('string');
      expect(typeof line.time).toBe('string');
    }
  }, 120_000);
});
