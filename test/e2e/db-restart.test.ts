import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { postgresNumber, postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, taskStatus, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 20_000;

// The sinks append (primary.key.mode=none): a batch applied twice after a lost connection would
// be two rows per id, which an upsert on a key would hide.
const EXACTLY_ONCE = 'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, sum(kwh)::bigint AS kwh FROM readings';

describe('the database dropping the sink mid-stream', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  const topic = `meter-${Date.now()}`;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('db_restart'))]);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'meter', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 3 } },
        {
          name: 'meter-sink',
          config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'readings', 'primary.key.mode': 'none', 'connection.url': pgUrl, 'batch.size': 200 },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('connections killed with pg_terminate_backend: the task retries, resumes, and the table ends exactly right', async () => {
    const states = new Set<string>();
    let killed = 0;
    let pushing = true;
    const killer = (async () => {
      while (pushing || killed < 3) {
        await Bun.sleep(300);
        // Every connection of the sink's database but this one: what a restart or failover does.
        const n = await postgresNumber(pgUrl, 'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        if (n > 0) killed++;
        const task = await taskStatus(worker, 'meter-sink');
        if (task) states.add(task.state);
        if (killed >= 6) break;
      }
    })();
    for (let at = 0; at < EVENTS; at += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ id: at + i, kwh: (at + i) % 97 }));
      expect((await worker.post('/ingest/meter', batch)).status).toBe(200);
      await Bun.sleep(20);
    }
    pushing = false;
    await killer;
    expect(killed).toBeGreaterThanOrEqual(3);

    const expected = Array.from({ length: EVENTS }, (_, id) => id % 97).reduce((a, b) => a + b, 0);
    // Waits for at least every row; then exactly every row once.
    const row = await waitFor('every reading in the table', async () => {
      const [totals] = await postgresRows(pgUrl, EXACTLY_ONCE);
      return Number(totals!.ids) === EVENTS && totals;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect({ n: Number(row.n), kwh: Number(row.kwh) }).toEqual({ n: EVENTS, kwh: expected });
    // Task states are published once a second through the status topic: the last commit's
    // RETRYING -> RUNNING reaches the REST API a moment after its rows reach the table.
    await waitFor('the task RUNNING again', async () => (await taskStatus(worker, 'meter-sink'))?.state === 'RUNNING');
    expect(states.has('FAILED')).toBe(false);
  }, 300_000);
});

describe('PostgreSQL stopped and started again (pg_ctl) under the sink', () => {
  let kafka: KafkaBroker;
  let pg: PostgresServer;
  let worker: WorkerProcess;
  let pgUrl: string;
  const topic = `outage-${Date.now()}`;

  beforeAll(async () => {
    // A cluster of its own: the suite's shared one must not go down under other tests.
    [kafka, pg] = await Promise.all([sharedKafka(), startPostgres()]);
    pgUrl = await pg.createDatabase('outage');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'meter', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 3 } },
        {
          name: 'meter-sink',
          config: {
            'connector.class': 'database-sink', topics: topic, 'table.name.format': 'readings', 'primary.key.mode': 'none',
            'connection.url': pgUrl, 'batch.size': 200, 'errors.retry.delay.max.ms': 2000,
          },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  const push = async (from: number, to: number) => {
    for (let at = from; at < to; at += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ id: at + i, kwh: (at + i) % 89 }));
      expect((await worker.post('/ingest/meter', batch)).status).toBe(200);
    }
  };

  test('the task is RETRYING while the server is down, ingest goes on, and every record lands once after the start', async () => {
    await push(0, 2_000);
    await waitFor('the first rows', async () => (await postgresNumber(pgUrl, 'SELECT count(*)::int AS n FROM readings')) === 2_000);

    await pg.stop();
    // Ingest does not need the sink's database; the sink retries what arrives meanwhile.
    await push(2_000, 6_000);
    const retrying = await waitFor('the task RETRYING', async () => {
      const task = await taskStatus(worker, 'meter-sink');
      return task?.state === 'RETRYING' && task;
    });
    expect(retrying.trace).toBeTruthy();
    await push(6_000, 8_000);
    expect((await taskStatus(worker, 'meter-sink'))?.state).toBe('RETRYING');
    await pg.start();

    const expected = Array.from({ length: 8_000 }, (_, id) => id % 89).reduce((a, b) => a + b, 0);
    const row = await waitFor('every reading in the table', async () => {
      const [totals] = await postgresRows(pgUrl, EXACTLY_ONCE);
      return Number(totals!.ids) === 8_000 && totals;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect({ n: Number(row.n), kwh: Number(row.kwh) }).toEqual({ n: 8_000, kwh: expected });
    await waitFor('the task RUNNING again', async () => (await taskStatus(worker, 'meter-sink'))?.state === 'RUNNING');
  }, 300_000);
});
