import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import edge from '../../src/http/edge.ts';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { freePort } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

describe('the edge entry (runs under Bun, as at the edge)', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  const topic = `edge-${Date.now()}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'clicks', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'topic.creation.default.partitions': 1 } },
        { name: 'signed', config: { 'connector.class': 'webhook', topic, 'auth.type': 'bearer', 'auth.tokens': 'edge-forwarding-token' } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  const push = (workerUrl: string, body: unknown, headers: Record<string, string> = {}) =>
    edge.fetch(
      new Request('https://edge.example/ingest/clicks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
      { INLET_WORKER_URL: workerUrl },
    );

  test('forwards a push to the worker, which writes it to Kafka, and passes its answers back', async () => {
    const first = await push(worker.url, [{ id: 'a' }, { id: 'b' }], { 'Idempotency-Key': 'batch-1' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await (await push(worker.url, [{ id: 'a' }, { id: 'b' }], { 'Idempotency-Key': 'batch-1' })).json()).toEqual({
      accepted: 0,
      duplicates: 2,
      duplicate: true,
    });
    expect((await endOffsets(kafka, topic)).get(0)).toBe(2);
    const invalid = await push(worker.url, [{ no: 'id' }]);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toContain('field "id"');
  }, 60_000);

  test('passes signature headers through, so a signed push verifies at the worker', async () => {
    const response = await edge.fetch(
      new Request('https://edge.example/ingest/signed', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer edge-forwarding-token' },
        body: JSON.stringify({ id: 'x' }),
      }),
      { INLET_WORKER_URL: worker.url },
    );
    expect(response.status).toBe(200);
    const unsigned = await edge.fetch(
      new Request('https://edge.example/ingest/signed', { method: 'POST', body: JSON.stringify({ id: 'y' }) }),
      { INLET_WORKER_URL: worker.url },
    );
    expect(unsigned.status).toBe(401);
  });

  test('answers 503 with Retry-After when no worker answers', async () => {
    const response = await push(`http://127.0.0.1:${await freePort()}`, [{ id: 'c' }]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
