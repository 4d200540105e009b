import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { offsetsByPartition, postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const EVENTS = 10_000;
const BATCH = 100;
const CLIENTS = 8;
const RETRIED_EVERY = 10; // every 10th batch is posted a second time: 10% of the events
const UPDATED = 1_000;

interface OrderEvent {
  id: number;
  event_id: string;
  version: number;
  amount: number;
  customer: { name: string };
}

const event = (id: number, version: number): OrderEvent => ({
  id,
  event_id: `evt-${id}-v${version}`,
  version,
  amount: Math.round(id * 1.5 * version * 100) / 100,
  customer: { name: `customer-${id % 97}` },
});

/** What the table must hold at the end: the latest version of every order. */
function expectedChecksum(): number {
  let sum = 0;
  for (let id = 0; id < EVENTS; id++) sum += event(id, id < UPDATED ? 2 : 1).amount * (id < UPDATED ? 2 : 1);
  return Math.round(sum * 100);
}

const checksum = (rows: Row[]) =>
  Math.round(rows.reduce((sum, r) => sum + Number(r.amount) * Number(r.version), 0) * 100);

/** Posts `batches` from CLIENTS concurrent clients; returns the summed response bodies. */
async function postAll(worker: WorkerProcess, batches: OrderEvent[][]) {
  const totals = { accepted: 0, duplicates: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const response = await worker.post('/ingest/orders', batch);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { accepted: number; duplicates: number };
        totals.accepted += body.accepted;
        totals.duplicates += body.duplicates;
      }
    }),
  );
  return totals;
}

describe('HTTP push -> Kafka -> database, exactly once in effect', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let sqlitePath: string;
  const topic = `orders-${Date.now()}`;

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase('exactly_once'))]);
    sqlitePath = join(tempDir('eo'), 'sink.db');
    const sink = { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id' };
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        {
          name: 'orders',
          config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'event_id', 'topic.creation.default.partitions': 4 },
        },
        { name: 'orders-pg', config: { ...sink, 'connection.url': pgUrl } },
        { name: 'orders-sqlite', config: { ...sink, 'connection.url': `sqlite:${sqlitePath}` } },
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('10,000 events from 8 clients with 10% retried land once each, with the latest values, in Postgres and SQLite', async () => {
    const firsts: OrderEvent[][] = [];
    for (let start = 0; start < EVENTS; start += BATCH) {
      firsts.push(Array.from({ length: BATCH }, (_, i) => event(start + i, 1)));
    }
    const retries = firsts.filter((_, i) => i % RETRIED_EVERY === 0);
    // Retries interleave with first deliveries, as a sender's retry queue would.
    const sent = await postAll(worker, [...firsts, ...retries].sort((a, b) => a[0]!.id - b[0]!.id));
    expect(sent).toEqual({ accepted: EVENTS, duplicates: EVENTS / RETRIED_EVERY });

    // Updates go after their orders were acknowledged: Kafka keeps them in order by key.
    const updates: OrderEvent[][] = [];
    for (let start = 0; start < UPDATED; start += BATCH) {
      updates.push(Array.from({ length: BATCH }, (_, i) => event(start + i, 2)));
    }
    expect(await postAll(worker, updates)).toEqual({ accepted: UPDATED, duplicates: 0 });

    const kafkaEnd = await endOffsets(kafka, topic);
    const totalInKafka = [...kafkaEnd.values()].reduce((a, b) => a + b, 0);
    expect(totalInKafka).toBe(EVENTS + UPDATED);
    const expectedOffsets = new Map([...kafkaEnd].map(([p, o]) => [`${topic}/${p}`, o]));
    const selectOrders = 'SELECT id, amount, version FROM orders';
    const selectOffsets = 'SELECT topic, kafka_partition, next_offset FROM inlet_sink_offsets';

    const pgOffsets = await waitFor('Postgres sink offsets to reach the end of the topic', async () => {
      const rows = await postgresRows(pgUrl, selectOffsets);
      const offsets = offsetsByPartition(rows);
      return [...expectedOffsets].every(([k, v]) => offsets.get(k) === v) && offsets;
    });
    expect(pgOffsets).toEqual(expectedOffsets);
    const pgRows = await postgresRows(pgUrl, selectOrders);
    expect(pgRows.length).toBe(EVENTS);
    expect(checksum(pgRows)).toBe(expectedChecksum());
    expect(pgRows.filter((r) => Number(r.version) === 2).length).toBe(UPDATED);

    const sqliteOffsets = await waitFor('SQLite sink offsets to reach the end of the topic', () => {
      const rows = sqliteRows(sqlitePath, selectOffsets);
      const offsets = offsetsByPartition(rows);
      return [...expectedOffsets].every(([k, v]) => offsets.get(k) === v) && offsets;
    });
    expect(sqliteOffsets).toEqual(expectedOffsets);
    const liteRows = sqliteRows(sqlitePath, selectOrders);
    expect(liteRows.length).toBe(EVENTS);
    expect(checksum(liteRows)).toBe(expectedChecksum());
  }, 300_000);
});
