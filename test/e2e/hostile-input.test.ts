import { sign as signGithub } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connect, type Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const READING_BOUND = 256 * 1024;
const SECRETS = { stripe: `whsec_${crypto.randomUUID().replaceAll('-', '')}`, github: `gh-${crypto.randomUUID()}`, standard: `whsec_${btoa(crypto.randomUUID())}` };
const stripe = new Stripe('sk_test_unused');

interface ErrorBody {
  error_code: number;
  message: string;
  header?: string;
  issues?: { index: number; path: string; message: string }[];
}

/** A sender that sends its headers and the start of a body, then holds the connection open. */
async function slowUpload(port: number, head: string, firstBytes: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  socket.write(`${head}\r\n\r\n${firstBytes}`);
  return socket;
}

describe('bounded memory under hostile input', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  const run = Date.now();
  const topics = { uploads: `uploads-${run}`, keyed: `keyed-${run}`, stripe: `stripe-b-${run}`, github: `github-b-${run}`, standard: `standard-b-${run}` };
  const single = { 'topic.creation.default.partitions': 1 };

  beforeAll(async () => {
    kafka = await sharedKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: {
        INLET_MAX_READING_BYTES: String(READING_BOUND),
        INLET_E2E_STRIPE_SECRET: SECRETS.stripe,
        INLET_E2E_GITHUB_SECRET: SECRETS.github,
        INLET_E2E_SW_SECRET: SECRETS.standard,
      },
      connectors: [
        { name: 'uploads', config: { ...single, 'connector.class': 'webhook', topic: topics.uploads, 'max.body.bytes': 1024 * 1024 } },
        { name: 'keyed', config: { ...single, 'connector.class': 'webhook', topic: topics.keyed, 'offset.field': 'event_id' } },
        { name: 'payments', config: { ...single, 'connector.class': 'stripe', topic: topics.stripe, secrets: '${env:INLET_E2E_STRIPE_SECRET}' } },
        { name: 'repos', config: { ...single, 'connector.class': 'github', topic: topics.github, secrets: '${env:INLET_E2E_GITHUB_SECRET}' } },
        { name: 'messages', config: { ...single, 'connector.class': 'standard-webhooks', topic: topics.standard, secrets: '${env:INLET_E2E_SW_SECRET}' } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  /** A JSON array of one record, padded to exactly `bytes`. */
  const bodyOf = (bytes: number) => {
    const shell = JSON.stringify([{ pad: '' }]);
    return JSON.stringify([{ pad: 'x'.repeat(bytes - shell.length) }]);
  };

  async function expectError(response: Response, status: number): Promise<ErrorBody> {
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(status);
    expect(body.error_code).toBe(status);
    return body;
  }

  test('slow uploads declaring big bodies fill the reading bound: the next push gets 429 with Retry-After at once, and once they close the worker takes pushes again', async () => {
    const declared = 120 * 1024;
    const head = `POST /ingest/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}`;
    const slow = await Promise.all([1, 2].map(() => slowUpload(worker.port, head, '[{"pad":"')));
    const before = await endOffsets(kafka, topics.uploads);
    // 240 KiB of the 256 are promised to the slow senders: a 32 KiB push does not fit.
    const refused = await waitFor('a push refused while the slow uploads hold the reading bound', async () => {
      const started = Date.now();
      const response = await worker.post('/ingest/uploads', bodyOf(32 * 1024));
      return response.status === 429 && { response, ms: Date.now() - started };
    }, { timeoutMs: 20_000 });
    expect(refused.response.headers.get('retry-after')).toBe('1');
    expect((await refused.response.json()) as ErrorBody).toMatchObject({ error_code: 429 });
    expect(refused.ms).toBeLessThan(5_000);
    // A small push still fits beside them.
    expect((await worker.post('/ingest/uploads', bodyOf(1024))).status).toBe(200);

    // The senders go away mid-body: their reservations come back whole, so a body of nearly the
    // whole bound fits again (any leaked reservation would keep refusing it).
    for (const socket of slow) socket.destroy();
    await waitFor('a push of nearly the whole bound accepted after the slow uploads closed', async () =>
      (await worker.post('/ingest/uploads', bodyOf(READING_BOUND - 1024))).status === 200,
    { timeoutMs: 20_000 });
    expect((await endOffsets(kafka, topics.uploads)).get(0)).toBe(before.get(0)! + 2);
  }, 60_000);

  test('a chunked upload counts toward the bound as it arrives, and gives it back when its sender disconnects', async () => {
    const head = 'POST /ingest/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked';
    const chunk = `[{"pad":"${'y'.repeat(240 * 1024)}`;
    const slow = await slowUpload(worker.port, head, `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await waitFor('a push refused while the chunked upload holds the reading bound', async () =>
      (await worker.post('/ingest/uploads', bodyOf(32 * 1024))).status === 429,
    { timeoutMs: 20_000 });
    slow.destroy();
    await waitFor('a push of nearly the whole bound accepted after the chunked upload closed', async () =>
      (await worker.post('/ingest/uploads', bodyOf(READING_BOUND - 1024))).status === 200,
    { timeoutMs: 20_000 });
  }, 60_000);

  test('a dedupe key over 256 bytes is a 400 naming it, from every source, and nothing is written', async () => {
    const before = await Promise.all(Object.values(topics).map((topic) => endOffsets(kafka, topic)));
    const long = 'k'.repeat(257);
    // 129 two-byte characters: 258 bytes in only 129 characters.
    const longInBytes = 'é'.repeat(129);

    const idempotency = await expectError(await worker.post('/ingest/uploads', [{ pad: 'a' }], { 'Idempotency-Key': long }), 400);
    expect(idempotency.header).toBe('Idempotency-Key');
    expect(idempotency.message).toBe('invalid request: header "Idempotency-Key": must be at most 256 bytes (it is a dedupe key)');
    for (const id of [long, longInBytes]) {
      const body = await expectError(await worker.post('/ingest/keyed', [{ event_id: 'ok-1' }, { event_id: id }]), 400);
      expect(body.message).toBe('invalid record: record 1, field "event_id": must be at most 256 bytes (it is a dedupe key)');
    }

    const event = { id: `evt_${'s'.repeat(253)}`, object: 'event', type: 'charge.succeeded', data: { object: { id: 'ch_1' } } };
    const stripeBody = JSON.stringify(event);
    const stripeSignature = await stripe.webhooks.generateTestHeaderStringAsync({ payload: stripeBody, secret: SECRETS.stripe });
    const stripeError = await expectError(await worker.post('/ingest/payments', stripeBody, { 'Stripe-Signature': stripeSignature }), 400);
    expect(stripeError.message).toBe('invalid record: record 0, field "id": must be at most 256 bytes (it is a dedupe key)');

    const githubBody = JSON.stringify({ repository: { full_name: 'a/b' } });
    const githubError = await expectError(
      await worker.post('/ingest/repos', githubBody, {
        'X-Hub-Signature-256': await signGithub(SECRETS.github, githubBody),
        'X-GitHub-Delivery': long,
        'X-GitHub-Event': 'push',
      }),
      400,
    );
    expect(githubError.header).toBe('X-GitHub-Delivery');
    expect(githubError.message).toContain('X-GitHub-Delivery');

    const now = new Date();
    const standardBody = JSON.stringify({ type: 'user.created' });
    const standardError = await expectError(
      await worker.post('/ingest/messages', standardBody, {
        'webhook-id': long,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRETS.standard).sign(long, now, standardBody),
      }),
      400,
    );
    expect(standardError.header).toBe('webhook-id');
    expect(standardError.message).toContain('webhook-id');

    expect(await Promise.all(Object.values(topics).map((topic) => endOffsets(kafka, topic)))).toEqual(before);
    // 256 bytes is still a key.
    expect((await worker.post('/ingest/uploads', [{ pad: 'b' }], { 'Idempotency-Key': 'k'.repeat(256) })).status).toBe(200);
    expect((await worker.post('/ingest/keyed', [{ event_id: 'é'.repeat(128) }])).status).toBe(200);
  }, 60_000);

  test('a body that is not UTF-8 is a 400, declared or chunked, and nothing is written', async () => {
    const before = await endOffsets(kafka, topics.uploads);
    const bytes = new Uint8Array([...new TextEncoder().encode('[{"pad":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}]')]);
    const declared = await expectError(
      await fetch(`${worker.url}/ingest/uploads`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json' } }),
      400,
    );
    expect(declared.message).toBe('body is not valid UTF-8');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const streamed = await fetch(`${worker.url}/ingest/uploads`, { method: 'POST', body: chunked, headers: { 'content-type': 'application/json' } });
    expect((await expectError(streamed, 400)).message).toBe('body is not valid UTF-8');
    expect(await endOffsets(kafka, topics.uploads)).toEqual(before);
  }, 30_000);
});
