import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteNumber } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

interface TaskStatus {
  id: number;
  state: string;
  worker_id: string;
}

describe('INLET_SINK_TASKS=false: an ingest-only worker beside a sink worker', () => {
  let kafka: KafkaBroker;
  let ingest: WorkerProcess;
  let sinkWorker: WorkerProcess | undefined;
  let sqlitePath: string;
  const group = `sink-tasks-${Date.now()}`;
  const topic = `sink-tasks-${Date.now()}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('sink-tasks'), 'rows.db');
    ingest = await startWorker({
      brokers: kafka.bootstrap,
      group,
      env: { INLET_SINK_TASKS: 'false' },
      connectors: [
        { name: 'orders', config: { 'connector.class': 'webhook', topic, 'key.field': 'id' } },
        {
          name: 'orders-sink',
          config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}`, 'tasks.max': '2' },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([ingest?.stop(), sinkWorker?.stop()]);
  }, 60_000);

  const tasksOf = async (worker: WorkerProcess): Promise<TaskStatus[]> =>
    ((await (await fetch(`${worker.url}/connectors/orders-sink/status`)).json()) as { tasks: TaskStatus[] }).tasks;
  const rowCount = () => sqliteNumber(sqlitePath, 'SELECT count(*) AS n FROM orders');

  test('pushes are accepted, and their rows wait until a worker that runs sink tasks joins', async () => {
    const pushed = await ingest.post('/ingest/orders', [{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(await pushed.json()).toEqual({ accepted: 3, duplicates: 0 });
    // Long enough for a task to start and apply three rows had this worker taken one.
    await Bun.sleep(4000);
    expect(await tasksOf(ingest)).toEqual([0, 1].map((id) => ({ id, state: 'UNASSIGNED', worker_id: '' })));
    // It did not even open the sink's database.
    expect(existsSync(sqlitePath)).toBe(false);

    sinkWorker = await startWorker({ brokers: kafka.bootstrap, group, connectors: [] });
    await waitFor('rows applied by the sink worker', () => rowCount() === 3);
    await waitFor('both tasks RUNNING on the sink worker', async () => {
      const tasks = await tasksOf(ingest);
      return tasks.length === 2 && tasks.every((t) => t.state === 'RUNNING' && t.worker_id.endsWith(`:${sinkWorker!.port}`));
    });

    expect((await ingest.post('/ingest/orders', [{ id: 4 }])).status).toBe(200);
    await waitFor('a later push applied too', () => rowCount() === 4);
  }, 240_000);
});

test('INLET_SINK_TASKS accepts only "true" or "false"', async () => {
  const { readWorkerEnv, ConfigError } = await import('../../src/config/index.ts');
  expect(readWorkerEnv({ KAFKA_BROKERS: 'x:9092' }).INLET_SINK_TASKS).toBe(true);
  expect(readWorkerEnv({ KAFKA_BROKERS: 'x:9092', INLET_SINK_TASKS: 'false' }).INLET_SINK_TASKS).toBe(false);
  expect(() => readWorkerEnv({ KAFKA_BROKERS: 'x:9092', INLET_SINK_TASKS: 'no' })).toThrow(ConfigError);
  expect(() => readWorkerEnv({ KAFKA_BROKERS: 'x:9092', INLET_SINK_TASKS: 'no' })).toThrow(/INLET_SINK_TASKS/);
});
