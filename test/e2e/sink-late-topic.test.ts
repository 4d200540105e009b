import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// A connectors file (or a REST create) may start a sink before anything has created its topic.
// librdkafka looks for a subscribed topic again only at its metadata refresh, 5 minutes by default.
describe('a sink whose topic does not exist yet', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let sqlitePath: string;
  const topic = `late-topic-${Date.now()}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('late-topic'), 'rows.db');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        {
          name: 'late-sink',
          config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'late', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 60_000);

  test('picks the topic up within seconds of its creation, and its rows land', async () => {
    await waitFor('the sink task RUNNING', async () => {
      const status = (await (await fetch(`${worker.url}/connectors/late-sink/status`)).json()) as { tasks: { state: string }[] };
      return status.tasks[0]?.state === 'RUNNING';
    }, { timeoutMs: 60_000 });
    const created = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'late-source', config: { 'connector.class': 'webhook', topic, 'key.field': 'id' } }),
    });
    expect(created.status).toBe(201);
    expect(await (await worker.post('/ingest/late-source', [{ id: 1 }, { id: 2 }])).json()).toEqual({ accepted: 2, duplicates: 0 });
    // Well under librdkafka's default 5-minute refresh, which the test's own timeout would hit first.
    await waitFor('both rows in the table', () => (sqliteRows(sqlitePath, 'SELECT id FROM late')?.length ?? 0) === 2, { timeoutMs: 60_000 });
  }, 150_000);
});
