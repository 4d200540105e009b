import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// The group drops a member that takes no records for max.poll.interval.ms; kept short here so a
// database that blocks for longer than that is quick to stage.
const MAX_POLL_MS = 7000;

describe('a sink whose database blocks for longer than max.poll.interval.ms', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  const topic = `stall-${Date.now()}`;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('sink_stall'))]);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: { INLET_CONSUMER_SESSION_TIMEOUT_MS: '6000', INLET_CONSUMER_MAX_POLL_INTERVAL_MS: String(MAX_POLL_MS) },
      connectors: [
        { name: 'stall', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 3 } },
        // Small batches: the consumer's buffer (batch.size x 4) fills within the first pushes.
        { name: 'stall-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'readings', 'primary.key.fields': 'id', 'connection.url': pgUrl, 'batch.size': 10 } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  const push = async (from: number, to: number) => {
    const batch = Array.from({ length: to - from }, (_, i) => ({ id: from + i, kwh: (from + i) % 89 }));
    expect((await worker.post('/ingest/stall', batch)).status).toBe(200);
  };
  const table = async () => (await postgresRows(pgUrl, 'SELECT count(*)::int AS n, sum(kwh)::bigint AS kwh FROM readings'))[0];

  test('keeps its partitions: it pauses them and goes on polling, then lands every record once', async () => {
    await push(0, 100);
    await waitFor('the first rows', async () => Number((await table())?.n) === 100, { timeoutMs: 60_000, intervalMs: 200 });

    // A lock the sink's statements queue behind, held for twice the poll interval.
    const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const held = sql.begin(async (tx) => {
      await tx`LOCK TABLE readings IN ACCESS EXCLUSIVE MODE`;
      locked();
      await Bun.sleep(MAX_POLL_MS * 2);
    });
    await lockTaken;
    for (let at = 100; at < 1100; at += 100) await push(at, at + 100);
    await held;
    await sql.end();

    const expected = Array.from({ length: 1100 }, (_, id) => id % 89).reduce((a, b) => a + b, 0);
    await waitFor('every reading exactly once', async () => {
      const row = await table();
      return Number(row?.n) === 1100 && Number(row?.kwh) === expected;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    // librdkafka reports a member dropped for not polling as "maximum poll interval ... exceeded".
    expect(worker.output()).not.toMatch(/poll interval/i);
    // States reach the REST API through the status topic once a second; FAILED would never turn back.
    await waitFor('the task RUNNING', async () => {
      const status = (await (await fetch(`${worker.url}/connectors/stall-sink/status`)).json()) as { tasks: { state: string }[] };
      return status.tasks[0]?.state === 'RUNNING';
    });
  }, 120_000);
});
