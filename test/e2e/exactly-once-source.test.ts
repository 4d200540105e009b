import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { committedValues, endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteNumber } from '../support/tables.ts';
import { freePort, tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

describe('exactly-once source (exactly.once.support=required)', () => {
  let kafka: KafkaBroker;
  let sqlitePath: string;
  const topic = `eos-${Date.now()}`;
  const group = `eos-${Date.now()}`;
  let connectors: ConnectorSpec[];
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('eos'), 'rows.db');
    connectors = [
      {
        name: 'payments',
        config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id', 'exactly.once.support': 'required', 'topic.creation.default.partitions': 2 },
      },
      { name: 'payments-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'payments', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` } },
    ];
  }, 60_000);

  afterAll(async () => {
    for (const w of running) if (w.proc.exitCode === null && w.proc.signalCode === null) await w.stop();
  }, 30_000);

  const batch = Array.from({ length: 10 }, (_, i) => ({ id: `pay-${i}`, cents: 100 + i }));

  test('a worker killed between produce and commit leaves no visible record, and the retried push is accepted once', async () => {
    const port = await freePort();
    const crashing = await startWorker({ brokers: kafka.bootstrap, connectors, group, port, env: { INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: '1' } });
    running.push(crashing);
    const lost = await crashing.post('/ingest/payments', batch).catch(() => null);
    expect(lost).toBeNull(); // the connection died with the worker: no answer, so the sender retries
    await crashing.proc.exited;
    expect(crashing.proc.signalCode).toBe('SIGKILL');

    // The records reached the log inside the open transaction...
    const written = [...(await endOffsets(kafka, topic)).values()].reduce((a, b) => a + b, 0);
    expect(written).toBeGreaterThanOrEqual(batch.length);
    // ...and the restarted worker (same id, so same transactional id) fences and aborts it.
    const restarted = await startWorker({ brokers: kafka.bootstrap, connectors, group, port });
    running.push(restarted);
    expect(await committedValues(kafka, topic)).toEqual([]);

    expect(await (await restarted.post('/ingest/payments', batch)).json()).toEqual({ accepted: 10, duplicates: 0 });
    expect(await (await restarted.post('/ingest/payments', batch)).json()).toEqual({ accepted: 0, duplicates: 10, duplicate: true });

    const visible = await committedValues(kafka, topic);
    expect(visible.length).toBe(10);
    expect(new Set(visible.map((v) => (JSON.parse(v) as { id: string }).id))).toEqual(new Set(batch.map((b) => b.id)));

    // The read_committed sink applies each once; the source offsets committed with the records.
    await waitFor('10 rows', () => sqliteNumber(sqlitePath, 'SELECT count(*) AS n FROM payments') === 10);
    expect(await restarted.metric('inlet_sink_records_total', { connector: 'payments-sink' })).toBe(10);
    const offsets = (await (await fetch(`${restarted.url}/connectors/payments/offsets`)).json()) as { offsets: unknown[] };
    expect(offsets.offsets).toEqual([{ partition: { partition: 'payments' }, offset: { offset: 'pay-9' } }]);
  }, 180_000);
});
