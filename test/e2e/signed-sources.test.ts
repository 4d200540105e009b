import { sign as signGithub } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { endOffsets, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Requests are signed by each sender's own library, independent of Inlet's verification code.
const stripe = new Stripe('sk_test_unused');

const randomBase64 = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
const SECRETS = {
  stripe: `whsec_${randomBase64(24).replace(/[+/=]/g, 'x')}`,
  github: `gh-${crypto.randomUUID()}`,
  standard: `whsec_${randomBase64(32)}`,
};

const total = (offsets: Map<number, number>) => [...offsets.values()].reduce((a, b) => a + b, 0);

describe('signed webhook sources end to end', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  const run = Date.now();
  const topics = { stripe: `stripe-${run}`, github: `github-${run}`, standard: `standard-${run}` };

  beforeAll(async () => {
    kafka = await sharedKafka();
    const common = { 'topic.creation.default.partitions': 1 };
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: { INLET_E2E_STRIPE_SECRET: SECRETS.stripe, INLET_E2E_GITHUB_SECRET: SECRETS.github, INLET_E2E_SW_SECRET: SECRETS.standard },
      connectors: [
        { name: 'payments', config: { ...common, 'connector.class': 'stripe', topic: topics.stripe, secrets: '${env:INLET_E2E_STRIPE_SECRET}' } },
        { name: 'repos', config: { ...common, 'connector.class': 'github', topic: topics.github, secrets: ['${env:INLET_E2E_GITHUB_SECRET}'] } },
        {
          name: 'messages',
          config: { ...common, 'connector.class': 'standard-webhooks', topic: topics.standard, secrets: '${env:INLET_E2E_SW_SECRET}', 'key.field': 'data.id' },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  async function stripePush(event: object, { secret = SECRETS.stripe, at = Date.now() } = {}) {
    const body = JSON.stringify(event);
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret, timestamp: Math.floor(at / 1000) });
    return worker.post('/ingest/payments', body, { 'Stripe-Signature': header });
  }

  async function githubPush(payload: object, delivery: string, secret = SECRETS.github) {
    const body = JSON.stringify(payload);
    return worker.post('/ingest/repos', body, {
      'X-Hub-Signature-256': await signGithub(secret, body),
      'X-GitHub-Delivery': delivery,
      'X-GitHub-Event': 'push',
    });
  }

  function standardPush(message: object, id: string, { secret = SECRETS.standard, at = Date.now() } = {}) {
    const body = JSON.stringify(message);
    return worker.post('/ingest/messages', body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, new Date(at), body),
    });
  }

  async function expectUnauthorized(response: Response, check: string) {
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(text)).toEqual({ error_code: 401, message: `authentication failed: ${check}`, check });
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  }

  const stripeEvent = (id: string) => ({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_e2e', object: 'payment_intent', amount: 1200 } },
  });

  test('a signed Stripe event is written once; its retry is answered as a duplicate and not written again', async () => {
    const before = total(await endOffsets(kafka, topics.stripe));
    expect(await (await stripePush(stripeEvent('evt_e2e_1'))).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(total(await endOffsets(kafka, topics.stripe))).toBe(before + 1);

    // Stripe re-signs a retry with a new timestamp; the event id is what stays the same.
    const retry = await stripePush(stripeEvent('evt_e2e_1'), { at: Date.now() + 2000 });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 1, duplicate: true });
    expect(total(await endOffsets(kafka, topics.stripe))).toBe(before + 1);

    const [record] = await readRecords(kafka, topics.stripe, 1);
    expect(record!.key).toBe('pi_e2e');
    expect(record!.headers).toMatchObject({ 'stripe.event.type': 'payment_intent.succeeded', 'inlet.source.offset': 'evt_e2e_1', 'inlet.connector': 'payments' });
    expect(JSON.parse(record!.value)).toEqual(stripeEvent('evt_e2e_1'));
  }, 120_000);

  test('a signed GitHub delivery and a signed Standard Webhooks message are written, keyed and with their headers', async () => {
    expect(await (await githubPush({ ref: 'refs/heads/main', repository: { full_name: 'octo/hello' } }, 'delivery-e2e-1')).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await (await standardPush({ type: 'invoice.paid', data: { id: 'inv_e2e' } }, 'msg_e2e_1')).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(total(await endOffsets(kafka, topics.github))).toBe(1);
    expect(total(await endOffsets(kafka, topics.standard))).toBe(1);

    const [push] = await readRecords(kafka, topics.github, 1);
    expect(push!.key).toBe('octo/hello');
    expect(push!.headers).toMatchObject({ 'github.event': 'push', 'inlet.source.offset': 'delivery-e2e-1' });
    const [message] = await readRecords(kafka, topics.standard, 1);
    expect(message!.key).toBe('inv_e2e');
    expect(message!.headers).toMatchObject({ 'webhook-id': 'msg_e2e_1', 'inlet.source.offset': 'msg_e2e_1' });
  }, 120_000);

  test('forged, stale and unsigned pushes are 401 naming the failed check, and write nothing', async () => {
    const before = await Promise.all(Object.values(topics).map((topic) => endOffsets(kafka, topic)));

    await expectUnauthorized(await stripePush(stripeEvent('evt_forged'), { secret: 'whsec_forged' }), 'no signature matched');
    await expectUnauthorized(await stripePush(stripeEvent('evt_stale'), { at: Date.now() - 600_000 }), 'timestamp outside tolerance');
    await expectUnauthorized(await worker.post('/ingest/payments', stripeEvent('evt_unsigned')), 'missing Stripe-Signature header');
    await expectUnauthorized(await githubPush({ zen: 'forged' }, 'delivery-forged', 'not-the-secret'), 'no signature matched');
    await expectUnauthorized(await standardPush({ data: { id: 'x' } }, 'msg_forged', { secret: `whsec_${randomBase64(32)}` }), 'no signature matched');
    await expectUnauthorized(await standardPush({ data: { id: 'x' } }, 'msg_future', { at: Date.now() + 600_000 }), 'timestamp outside tolerance');

    // A correctly signed GitHub body with the signature moved onto another body is a forgery too.
    const body = JSON.stringify({ zen: 'original' });
    const response = await worker.post('/ingest/repos', JSON.stringify({ zen: 'replaced' }), {
      'X-Hub-Signature-256': await signGithub(SECRETS.github, body),
      'X-GitHub-Delivery': 'delivery-moved',
      'X-GitHub-Event': 'push',
    });
    await expectUnauthorized(response, 'no signature matched');

    const after = await Promise.all(Object.values(topics).map((topic) => endOffsets(kafka, topic)));
    expect(after).toEqual(before);
  }, 120_000);

  test("the worker's output never contains a secret", () => {
    const output = worker.output();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  });

  test('a secret referring to an unset environment variable stops the worker at start, naming the key', async () => {
    const bad = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [{ name: 'payments', config: { 'connector.class': 'stripe', topic: 'unused', secrets: '${env:INLET_E2E_UNSET_SECRET}' } }],
      waitReady: false,
    });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('connectors.0.config.secrets: environment variable INLET_E2E_UNSET_SECRET is not set');
  }, 30_000);
});
