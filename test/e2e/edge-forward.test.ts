import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Subprocess } from 'bun';
import { createHmac } from 'node:crypto';
import { trickle } from '../support/trickle.ts';
import { join } from 'node:path';
import edge from '../../src/http/edge.ts';
import { endOffsets, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { freePort, waitFor } from '../support/wait.ts';
import { DENO, startWorker, type WorkerProcess } from '../support/worker.ts';

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

const ROOT = join(import.meta.dir, '..', '..');

/**
 * The forwarder's command on each runtime. On Deno: the network to its own port and the worker's,
 * the environment (its settings and the secrets its connectors name), the host's name (pino), and
 * nothing else.
 */
const FORWARDERS = {
  'Bun.serve': (_port: number, _workerUrl: string) => [process.execPath, join(ROOT, 'src', 'edge-main.ts')],
  'Deno.serve': (port: number, workerUrl: string) => [DENO, 'run', `--allow-net=127.0.0.1:${port},${new URL(workerUrl).host}`, '--allow-env', '--allow-sys=hostname', join(ROOT, 'src', 'edge-main.ts')],
};

for (const [server, command] of Object.entries(FORWARDERS)) describe(`the edge entry as a forwarder on ${server} (src/edge-main.ts)`, () => {
  const secret = `forwarder-secret-${crypto.randomUUID()}`;
  const topic = `edge-${server === 'Bun.serve' ? 'bun' : 'deno'}-${Date.now()}`;
  const signedConfig = { 'connector.class': 'webhook', topic, 'topic.creation.default.partitions': 1, 'auth.type': 'hmac-sha256', 'auth.secrets': '${env:EDGE_TEST_SECRET}' };
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let forwarder: Subprocess<'ignore', 'pipe', 'pipe'>;
  let edgeUrl: string;
  let output = '';

  beforeAll(async () => {
    kafka = await sharedKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'signed', config: signedConfig },
        { name: 'open', config: { 'connector.class': 'webhook', topic, 'topic.creation.default.partitions': 1 } },
      ],
      env: { EDGE_TEST_SECRET: secret, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    const port = await freePort();
    edgeUrl = `http://127.0.0.1:${port}`;
    forwarder = Bun.spawn(command(port, worker.url), {
      cwd: ROOT,
      env: {
        ...process.env,
        NO_COLOR: '1',
        DENO_NO_UPDATE_CHECK: '1',
        INLET_PORT: String(port),
        INLET_WORKER_URL: worker.url,
        INLET_MAX_BODY_BYTES: '1024',
        INLET_REQUEST_TIMEOUT_MS: '1500',
        INLET_EDGE_CONNECTORS: JSON.stringify({ connectors: [{ name: 'signed', config: signedConfig }] }),
        EDGE_TEST_SECRET: secret,
      },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    for (const stream of [forwarder.stdout, forwarder.stderr]) {
      void (async () => {
        for await (const chunk of stream) output += new TextDecoder().decode(chunk);
      })();
    }
    await waitFor('the forwarder to answer', async () => (await fetch(`${edgeUrl}/`).catch(() => null))?.status === 404, { timeoutMs: 30_000 }).catch((error) => {
      throw new Error(`${(error as Error).message}\n--- forwarder output ---\n${output}`);
    });
  }, 120_000);

  afterAll(async () => {
    forwarder?.kill('SIGTERM');
    await forwarder?.exited;
    await worker?.stop();
  }, 30_000);

  const push = (connector: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${edgeUrl}/ingest/${connector}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');

  test('logs as the worker does: JSON lines with the level named, an ISO time, its service, and no secret', async () => {
    const listening = await waitFor('a JSON line saying where the forwarder listens', () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => String(line.msg).includes(`(${server}), forwarding to`)),
    { timeoutMs: 10_000 }).catch((error) => {
      throw new Error(`${(error as Error).message}\n--- forwarder output ---\n${output}`);
    });
    expect(listening).toMatchObject({ level: 'info', service: 'inlet-edge' });
    expect(new Date(String(listening.time)).toISOString()).toBe(listening.time as string);
    expect(output).not.toContain(secret);
  });

  test('forwards a signed push to the worker, which writes it to Kafka, its traceparent intact', async () => {
    expect(output).toContain(`(${server}), forwarding to`);
    const body = JSON.stringify([{ id: 'fw-1' }]);
    const traceparent = `00-${crypto.randomUUID().replaceAll('-', '')}-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
    const response = await push('signed', body, { 'X-Signature': sign(body), traceparent });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const [record] = await readRecords(kafka, topic, 1);
    expect(record?.value).toBe('{"id":"fw-1"}');
    expect(record?.headers.traceparent).toBe(traceparent);
  }, 60_000);

  test('refuses a forged push (401) and one over its limit (413) itself: the worker never sees either', async () => {
    const before = await worker.metric('inlet_ingest_requests_total', {});
    const body = JSON.stringify([{ id: 'forged' }]);
    const forged = await push('signed', body, { 'X-Signature': sign(`${body} `) });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error_code: 401, message: 'authentication failed: no signature matched', check: 'no signature matched' });
    const big = await push('open', JSON.stringify(Array.from({ length: 300 }, (_, n) => ({ n }))));
    expect(big.status).toBe(413);
    expect(await worker.metric('inlet_ingest_requests_total', {})).toBe(before);
    expect((await push('open', '[{"n":1}]')).status).toBe(200);
    expect(await worker.metric('inlet_ingest_requests_total', {})).toBe(before + 1);
  }, 60_000);

  test('answers a sender trickling its body with 408 after INLET_REQUEST_TIMEOUT_MS (the server has only an idle timeout, or none); nothing is forwarded', async () => {
    const before = await worker.metric('inlet_ingest_requests_total', {});
    const sender = await trickle(Number(new URL(edgeUrl).port), '/ingest/open');
    try {
      await waitFor('the trickling connection answered', () => sender.received().length > 0 || sender.closedAt() > 0, { timeoutMs: 20_000 });
      expect(sender.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(sender.received()).toContain('"error_code":408');
      expect(Date.now() - sender.started).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - sender.started).toBeLessThan(10_000);
    } finally {
      sender.stop();
    }
    expect(await worker.metric('inlet_ingest_requests_total', {})).toBe(before);
  }, 30_000);

  test('refuses to start on a connectors setting it cannot use, naming the key', async () => {
    const badPort = await freePort();
    const bad = Bun.spawn(command(badPort, worker.url), {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', INLET_PORT: String(badPort), INLET_WORKER_URL: worker.url, INLET_EDGE_CONNECTORS: JSON.stringify({ connectors: [{ name: 'signed', config: { ...signedConfig, 'auth.secrets': '${env:EDGE_TEST_UNSET}' } }] }) },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      expect(await Promise.race([bad.exited, Bun.sleep(20_000).then(() => 'still running')])).toBe(1);
      const said = (await new Response(bad.stdout).text()) + (await new Response(bad.stderr).text());
      expect(said).toContain('INLET_EDGE_CONNECTORS');
      expect(said).toContain('environment variable EDGE_TEST_UNSET is not set');
    } finally {
      bad.kill();
    }
  }, 30_000);
});
