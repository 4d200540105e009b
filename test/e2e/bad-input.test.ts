import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

interface ErrorBody {
  error_code: number;
  message: string;
  line?: number;
  issues?: { index: number; path: string; message: string }[];
}

describe('bad input gets a clear error and writes nothing', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  const topic = `signups-${Date.now()}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        {
          name: 'signups',
          config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'required.fields': 'email', 'max.body.bytes': 2048, 'topic.creation.default.partitions': 1 },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  async function expectError(response: Response, status: number): Promise<ErrorBody> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as ErrorBody;
    expect(body.error_code).toBe(status);
    return body;
  }

  test('malformed JSON is a 400 that says so', async () => {
    const body = await expectError(await worker.post('/ingest/signups', '{"id": 1,'), 400);
    expect(body.message).toMatch(/not valid JSON/);
  });

  test('a bad NDJSON line is a 400 naming the line', async () => {
    const ndjson = '{"id":1,"email":"a@x"}\n{"id":2,"email":\n';
    const body = await expectError(await worker.post('/ingest/signups', ndjson, { 'content-type': 'application/x-ndjson' }), 400);
    expect(body.line).toBe(2);
    expect(body.message).toMatch(/line 2/);
  });

  test('an empty body is a 400', async () => {
    expect((await expectError(await worker.post('/ingest/signups', ''), 400)).message).toMatch(/empty/);
  });

  test('records failing the schema are a 400 naming each record index and field', async () => {
    const batch = [
      { id: 1, email: 'a@x' },
      { id: 2, email: 'b@x' },
      { email: 'c@x' },
      { id: { nested: true }, email: 'd@x' },
      { id: 5 },
      'not an object',
    ];
    const body = await expectError(await worker.post('/ingest/signups', batch), 400);
    expect(body.message).toBe('invalid record: record 2, field "id": is required');
    expect(body.issues!.map((i) => [i.index, i.path])).toEqual([
      [2, 'id'],
      [3, 'id'],
      [4, 'email'],
      [5, ''],
    ]);
    expect(body.issues![3]!.message).toBe('must be a JSON object');
  });

  test('an unknown connector is a 404', async () => {
    const body = await expectError(await worker.post('/ingest/nobody', { id: 1 }), 404);
    expect(body.message).toContain('nobody');
  });

  test('a body over the connector limit is a 413, declared or streamed', async () => {
    const big = JSON.stringify(Array.from({ length: 100 }, (_, id) => ({ id, email: `user${id}@example.com` })));
    expect(big.length).toBeGreaterThan(2048);
    expect((await expectError(await worker.post('/ingest/signups', big), 413)).message).toMatch(/2048 bytes/);
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const response = await fetch(`${worker.url}/ingest/signups`, { method: 'POST', body: streamed, headers: { 'content-type': 'application/json' } });
    await expectError(response, 413);
  });

  test('no record of a rejected request reaches Kafka, and a good one still does', async () => {
    const before = await endOffsets(kafka, topic);
    expect((await worker.post('/ingest/signups', [{ id: 10, email: 'ok@x' }, { id: 11 }])).status).toBe(400);
    expect(await endOffsets(kafka, topic)).toEqual(before);
    expect(await (await worker.post('/ingest/signups', [{ id: 10, email: 'ok@x' }])).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await endOffsets(kafka, topic)).get(0)).toBe(before.get(0)! + 1);
  }, 60_000);

  test('a bad connectors config stops the worker at start with a message naming the key', async () => {
    const bad = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [{ name: 'broken', config: { 'connector.class': 'webhook', topic: 'has spaces' } }],
      waitReady: false,
    });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('connectors.0.config.topic: is not a valid Kafka topic name');
  }, 30_000);

  test("a headers' deadline past the request's stops the worker at start naming both keys, on every runtime", async () => {
    // node:http would throw a RangeError of its own; Bun.serve and Deno.serve would take it silently.
    const bad = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [],
      env: { INLET_REQUEST_TIMEOUT_MS: '2000', INLET_HEADERS_TIMEOUT_MS: '3000' },
      waitReady: false,
    });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('invalid environment: INLET_HEADERS_TIMEOUT_MS: must be at most INLET_REQUEST_TIMEOUT_MS (2000)');
  }, 30_000);
});
