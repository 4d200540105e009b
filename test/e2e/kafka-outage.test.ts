import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { startKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

describe('Kafka going away and coming back', () => {
  // A broker of its own: stopping it must not disturb the other suites.
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let sqlitePath: string;
  const acknowledged = new Set<number>();
  let nextId = 0;

  /** Posts a batch of 10 new events; remembers the ids of every batch answered 200. */
  async function postBatch(): Promise<Response> {
    const ids = Array.from({ length: 10 }, () => nextId++);
    const response = await worker.post('/ingest/events', ids.map((id) => ({ id, note: `event ${id}` })));
    if (response.status === 200) ids.forEach((id) => acknowledged.add(id));
    return response;
  }

  beforeAll(async () => {
    kafka = await startKafka();
    sqlitePath = join(tempDir('outage'), 'sink.db');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      dbUrl: `sqlite:${sqlitePath}`,
      env: { INLET_DELIVERY_TIMEOUT_MS: '3000' },
      connectors: [
        { name: 'events', config: { 'connector.class': 'webhook', topic: 'events', 'key.field': 'id', 'offset.field': 'id' } },
        { name: 'events-sink', config: { 'connector.class': 'database-sink', topics: 'events', 'primary.key.fields': 'id' } },
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('ingest answers 503 with Retry-After while Kafka is down, and nothing acknowledged is lost', async () => {
    for (let i = 0; i < 20; i++) expect((await postBatch()).status).toBe(200);

    await kafka.stop();
    const refused = await waitFor('ingest to refuse with 503', async () => {
      const response = await postBatch();
      return response.status === 503 && response;
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Kafka/);
    // Once Kafka is known to be down, ingest fails fast instead of holding the sender.
    const started = Date.now();
    expect((await postBatch()).status).toBe(503);
    // Held until the delivery timeout (3 s) it would not be fast; 2 s leaves room for a loaded CI.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await fetch(`${worker.url}/health`)).status).toBe(500);

    await kafka.start();
    await waitFor('ingest to accept again', async () => (await postBatch()).status === 200, { timeoutMs: 60_000, intervalMs: 500 });
    for (let i = 0; i < 5; i++) expect((await postBatch()).status).toBe(200);

    const rows = await waitFor('every acknowledged event in the table', () => {
      const ids = new Set(sqliteRows(sqlitePath, 'SELECT id FROM events').map((r) => Number(r.id)));
      return [...acknowledged].every((id) => ids.has(id)) && ids;
    }, { timeoutMs: 60_000 });
    expect(acknowledged.size).toBeGreaterThanOrEqual(260);
    for (const id of acknowledged) expect(rows.has(id)).toBe(true);
  }, 240_000);

  test('while Kafka is down and the producer probes for it, the worker still answers HTTP at once', async () => {
    await kafka.stop();
    await waitFor('ingest to refuse with 503', async () => (await postBatch()).status === 503);
    // The producer now asks the cluster every 500 ms whether a broker is back. A probe that waited
    // for its answer on the JS thread (rd_kafka_metadata over FFI blocks up to its 1 s timeout)
    // would hold the first request of each wait for 900 ms or more. A loaded machine delays one
    // now and then by a few hundred ms (286 and 291 ms against 250 under load): 600 ms tells them apart.
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      expect((await fetch(`${worker.url}/health`)).status).toBe(500);
      latencies.push(performance.now() - started);
      await Bun.sleep(100); // spreads the samples over several probe intervals
    }
    expect(latencies.filter((ms) => ms >= 600).map(Math.round)).toEqual([]);

    await kafka.start();
    await waitFor('ingest to accept again', async () => (await postBatch()).status === 200, { timeoutMs: 60_000, intervalMs: 500 });
    // The sink's task slot may have been lost during the outage (its session timed out): the task
    // comes back and applies what was acknowledged since.
    await waitFor('every acknowledged event in the table again', () => {
      const ids = new Set(sqliteRows(sqlitePath, 'SELECT id FROM events').map((r) => Number(r.id)));
      return [...acknowledged].every((id) => ids.has(id));
    }, { timeoutMs: 60_000 });
  }, 180_000);
});
