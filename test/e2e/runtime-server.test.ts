import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { sharedKafka } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { trickle } from '../support/trickle.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, WORKER_RUNTIME, type WorkerProcess } from '../support/worker.ts';

// The runtime's own HTTP server and SQLite driver under the worker (src/serve, src/db/drivers):
// node:http and better-sqlite3 on Node, Bun.serve and bun:sqlite on Bun, Deno.serve and
// node:sqlite on Deno. Runs with the workers on whichever runtime INLET_TEST_RUNTIME names.
const SERVER = { node: 'node:http', bun: 'Bun.serve', deno: 'Deno.serve' }[WORKER_RUNTIME];

describe(`the worker's HTTP server and SQLite driver on ${WORKER_RUNTIME}`, () => {
  let worker: WorkerProcess;
  const topic = `runtime-server-${Date.now()}`;
  const sqlitePath = join(tempDir('runtime-server'), 'rows.db');

  beforeAll(async () => {
    worker = await startWorker({
      brokers: (await sharedKafka()).bootstrap,
      // Node wants the headers' deadline no longer than the request's.
      env: { INLET_REQUEST_TIMEOUT_MS: '1500', INLET_HEADERS_TIMEOUT_MS: '1000' },
      connectors: [
        { name: 'hooks', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'max.body.bytes': 2048 } },
        { name: 'hooks-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'hooks', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test(`is served by ${SERVER}, and its pushes land in SQLite`, async () => {
    expect(worker.output()).toContain(`, ${SERVER}, Kafka through the`);
    const pushed = await worker.post('/ingest/hooks', [{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    expect(pushed.status).toBe(200);
    const rows = await waitFor('both rows in SQLite', () => {
      const found = sqliteRows(sqlitePath, 'SELECT id, n FROM hooks ORDER BY id');
      return found.length === 2 && found;
    }, { timeoutMs: 90_000 });
    expect(rows).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
  }, 120_000);

  test('a body over the limit is 413 whether declared or streamed', async () => {
    const big = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: `big-${i}` })));
    const declared = await worker.post('/ingest/hooks', big);
    expect(declared.status).toBe(413);
    const streamed = await fetch(`${worker.url}/ingest/hooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
    });
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error_code: number }).error_code).toBe(413);
  });

  test('a sender trickling its body is answered 408 at the request deadline while others are served', async () => {
    const sender = await trickle(worker.port, '/ingest/hooks');
    try {
      expect((await worker.post('/ingest/hooks', { id: 'quick' })).status).toBe(200);
      await waitFor('the 408', () => sender.received().includes('"error_code":408'), { timeoutMs: 20_000 });
      expect(sender.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - sender.started).toBeGreaterThanOrEqual(1400);
    } finally {
      sender.stop();
    }
  }, 60_000);
});
