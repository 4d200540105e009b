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

  test('refuses a body over its limit with 413, declared or streamed, and forwards nothing', async () => {
    const before = await endOffsets(kafka, topic);
    const big = JSON.stringify(Array.from({ length: 50 }, (_, id) => ({ id: `big-${id}` })));
    const env = { INLET_WORKER_URL: worker.url, INLET_MAX_BODY_BYTES: '512' };
    const declared = await edge.fetch(
      new Request('https://edge.example/ingest/clicks', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, body: big }),
      env,
    );
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { message: string }).message).toContain('512 bytes');
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < big.length; at += 100) controller.enqueue(new TextEncoder().encode(big.slice(at, at + 100)));
        controller.close();
      },
    });
    const chunked = await edge.fetch(
      new Request('https://edge.example/ingest/clicks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamed, duplex: 'half' } as RequestInit),
      env,
    );
    expect(chunked.status).toBe(413);
    expect(await endOffsets(kafka, topic)).toEqual(before);
    // Under the limit it still goes through.
    expect((await push(worker.url, [{ id: 'small' }])).status).toBe(200);
  }, 30_000);

  test('forwards bytes that are not UTF-8 unchanged, so the worker refuses them rather than store them replaced', async () => {
    const before = await endOffsets(kafka, topic);
    const bytes = new Uint8Array([...new TextEncoder().encode('[{"id":"'), 0xff, ...new TextEncoder().encode('"}]')]);
    const response = await edge.fetch(
      new Request('https://edge.example/ingest/clicks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes }),
      { INLET_WORKER_URL: worker.url },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe('body is not valid UTF-8');
    expect(await endOffsets(kafka, topic)).toEqual(before);
  }, 30_000);

  test('answers 503 with Retry-After when no worker answers', async () => {
    const response = await push(`http://127.0.0.1:${await freePort()}`, [{ id: 'c' }]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
