import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { committedOffsets, endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { offsetsByPartition, sqliteNumber, sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type ConnectorSpec, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 6_000;
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

describe('a sink task stopped abruptly mid-stream', () => {
  let kafka: KafkaBroker;
  let ingest: WorkerProcess;
  const topic = `payments-${Date.now()}`;
  let sqlitePath: string;
  let sink: ConnectorSpec;

  beforeAll(async () => {
    kafka = await sharedKafka();
    sqlitePath = join(tempDir('crash'), 'sink.db');
    // Appended, not upserted: a record applied twice would be a second row.
    sink = {
      name: 'payments-sink',
      config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'payments', 'primary.key.mode': 'none', 'batch.size': 250 },
    };
    ingest = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'payments', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id', 'topic.creation.default.partitions': 3 } },
      ],
    });
    for (let start = 0; start < EVENTS; start += 200) {
      const batch = Array.from({ length: 200 }, (_, i) => ({ id: start + i, cents: (start + i) * 7 }));
      expect((await ingest.post('/ingest/payments', batch)).status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await ingest?.stop();
  }, 30_000);

  test('after its database commits and before any Kafka commit, then restarted: no record applied twice and none lost', async () => {
    const crashing = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [sink],
      dbUrl: `sqlite:${sqlitePath}`,
      env: { INLET_FAULT_CRASH_AFTER_DB_COMMITS: '4' },
      waitReady: false,
    });
    await crashing.proc.exited;
    expect(crashing.proc.signalCode).toBe('SIGKILL');

    // What the database held at the crash: rows and offsets from the same transactions.
    const stored = offsetsByPartition(sqliteRows(sqlitePath, 'SELECT * FROM inlet_sink_offsets'));
    const appliedBeforeCrash = sum(stored.values());
    expect(appliedBeforeCrash).toBeGreaterThan(0);
    expect(appliedBeforeCrash).toBeLessThan(EVENTS);
    expect(sqliteNumber(sqlitePath, 'SELECT count(*) AS n FROM payments')).toBe(appliedBeforeCrash);
    // Kafka never heard of the last transaction: its committed offsets trail the database's.
    const kafkaCommitted = await committedOffsets(kafka, `connect-${sink.name}`);
    expect(sum(kafkaCommitted.values())).toBeLessThan(appliedBeforeCrash);

    const restarted = await startWorker({ brokers: kafka.bootstrap, connectors: [sink], dbUrl: `sqlite:${sqlitePath}` });
    try {
      const end = await endOffsets(kafka, topic);
      await waitFor('the restarted sink to reach the end of the topic', () => {
        const offsets = offsetsByPartition(sqliteRows(sqlitePath, 'SELECT * FROM inlet_sink_offsets'));
        return [...end].every(([p, o]) => offsets.get(`${topic}/${p}`) === o);
      });
      const [totals] = sqliteRows(sqlitePath, 'SELECT count(*) AS n, sum(cents) AS cents, count(DISTINCT id) AS ids FROM payments');
      expect(totals).toEqual({ n: EVENTS, cents: (7 * EVENTS * (EVENTS - 1)) / 2, ids: EVENTS });
      // Each record was applied once: the restarted task applied exactly what the crash left over.
      expect(await restarted.metric('inlet_sink_records_total', { connector: sink.name })).toBe(EVENTS - appliedBeforeCrash);
    } finally {
      await restarted.stop();
    }
  }, 180_000);
});
