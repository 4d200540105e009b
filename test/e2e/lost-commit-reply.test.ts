import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { startReplyDropper, type ReplyDropper } from '../support/pg-reply-dropper.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresNumber, postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, taskStatus, type WorkerProcess } from '../support/worker.ts';

// The batch's rows and its position in inlet_sink_offsets are one transaction. When the server
// commits it and the connection is lost before the reply arrives, the sink sees a transient
// error and tries again: the table appends (primary.key.mode=none), so applying that batch again
// would be two rows per id.
describe('a commit whose reply is lost with the connection', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let proxy: ReplyDropper;
  const topic = `lost-reply-${Date.now()}`;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('lost_commit_reply'))]);
    proxy = await startReplyDropper(pgUrl);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        // One partition: the batches go through the sink in order, one at a time.
        { name: 'meter', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 1 } },
        {
          name: 'meter-sink',
          config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'readings', 'primary.key.mode': 'none', 'connection.url': proxy.url, 'batch.size': 50 },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  const push = async (from: number, to: number) => {
    const batch = Array.from({ length: to - from }, (_, i) => ({ id: from + i, kwh: (from + i) % 7 }));
    expect((await worker.post('/ingest/meter', batch)).status).toBe(200);
  };
  const distinctIds = () => postgresNumber(pgUrl, 'SELECT count(DISTINCT id)::int AS n FROM readings');

  test('the retry finds the batch committed and writes nothing twice; the task runs on', async () => {
    await push(0, 100);
    await waitFor('the first readings through the proxy', async () => (await distinctIds()) === 100);

    // The next write of the sink's positions commits, and its answer never reaches the worker.
    proxy.arm(/insert into "inlet_sink_offsets"/i);
    await push(100, 200);
    await waitFor('the reply dropped', () => proxy.drops() === 1);
    await waitFor('the worker retrying after the lost connection', () => /transient database error, retrying/.test(worker.output()));
    // The partition's batches apply in order: once these are in, the dropped batch was dealt with.
    await push(200, 300);
    await waitFor('every reading in the table', async () => (await distinctIds()) === 300, { timeoutMs: 60_000 });

    const doubled = await postgresRows(pgUrl, 'SELECT id, count(*)::int AS n FROM readings GROUP BY id HAVING count(*) > 1 ORDER BY id');
    expect(doubled).toEqual([]);
    expect(await postgresNumber(pgUrl, 'SELECT count(*)::int AS n FROM readings')).toBe(300);
    expect(proxy.drops()).toBe(1);
    await waitFor('the task RUNNING', async () => (await taskStatus(worker, 'meter-sink'))?.state === 'RUNNING');
  }, 180_000);
});
