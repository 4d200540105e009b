import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 20_000;

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
        { name: 'meter-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'readings', 'primary.key.fields': 'id', 'connection.url': pgUrl, 'batch.size': 200 } },
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
        const rows = await postgresRows(pgUrl, 'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        if (Number(rows?.[0]?.n) > 0) killed++;
        const response = await fetch(`${worker.url}/connectors/meter-sink/status`).catch(() => null);
        if (!response) throw new Error(`the worker stopped answering:\n${worker.output()}`);
        const status = (await response.json()) as { tasks: { state: string }[] };
        status.tasks.forEach((t) => states.add(t.state));
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
    await waitFor('every reading exactly once', async () => {
      const [row] = await postgresRows(pgUrl, 'SELECT count(*)::int AS n, sum(kwh)::bigint AS kwh FROM readings');
      return row && Number(row.n) === EVENTS && Number(row.kwh) === expected;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    // Task states are published once a second through the status topic: the last commit's
    // RETRYING -> RUNNING reaches the REST API a moment after its rows reach the table.
    await waitFor('the task RUNNING again', async () => {
      const status = (await (await fetch(`${worker.url}/connectors/meter-sink/status`)).json()) as { tasks: { state: string }[] };
      return status.tasks[0]?.state === 'RUNNING';
    }, { timeoutMs: 10_000, intervalMs: 200 });
    expect(states.has('FAILED')).toBe(false);
  }, 240_000);
});
