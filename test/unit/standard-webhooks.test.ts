import { describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import * as v from 'valibot';
import { StandardWebhooksSourceConfigSchema } from '../../src/config/index.ts';
import { createStandardWebhooksSource, parseStandardSignatures } from '../../src/source/standard-webhooks.ts';
import { check, recordsOf } from '../support/source.ts';

// Test vector of the Standard Webhooks reference libraries: standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts and libraries/go/webhook_test.go ("sign function works",
// TestWebhookSign, and the multi-signature and partial-signature cases).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const WRONG_V1 = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
const OTHER_SECRET = 'whsec_' + btoa('another secret of 24 bytes');

function source(config: Record<string, unknown> = {}) {
  const parsed = v.parse(StandardWebhooksSourceConfigSchema, { 'connector.class': 'standard-webhooks', topic: 'events', secrets: VECTOR.secret, ...config });
  return createStandardWebhooksSource('events', parsed);
}

function headers(id: string, timestamp: number | string, signature: string) {
  return new Headers({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
}

/** Signs with the reference library, an implementation independent of Inlet's. */
function signed(body: string, { secret = VECTOR.secret, at = Date.now(), id = 'msg_1' } = {}) {
  const signature = new Webhook(secret).sign(id, new Date(at), body);
  return { body, headers: headers(id, Math.floor(at / 1000), signature), receivedAt: Date.now() };
}

describe('standard-webhooks verify: the reference libraries\' vectors', () => {
  const atVectorTime = VECTOR.timestamp * 1000;

  test('the published signature verifies at its timestamp', async () => {
    const push = { body: VECTOR.payload, headers: headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature), receivedAt: atVectorTime };
    expect(await check(source().verify!(push))).toBeNull();
  });

  test('the secret works without its whsec_ prefix too', async () => {
    const push = { body: VECTOR.payload, headers: headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature), receivedAt: atVectorTime };
    expect(await check(source({ secrets: VECTOR.secret.slice('whsec_'.length) }).verify!(push))).toBeNull();
  });

  test('several signatures, one valid among v1 and v2 decoys, verify', async () => {
    const signature = [WRONG_V1, WRONG_V1.replace('v1,', 'v2,'), VECTOR.signature, WRONG_V1].join(' ');
    const push = { body: VECTOR.payload, headers: headers(VECTOR.id, VECTOR.timestamp, signature), receivedAt: atVectorTime };
    expect(await check(source().verify!(push))).toBeNull();
  });

  test('an invalid, a partial or an empty signature does not match', async () => {
    for (const signature of [WRONG_V1, VECTOR.signature.slice(0, 8), 'v1,', 'v1,dawfeoifkpqwoekfpqoekf']) {
      const push = { body: VECTOR.payload, headers: headers(VECTOR.id, VECTOR.timestamp, signature), receivedAt: atVectorTime };
      expect(await check(source().verify!(push))).toBe('no signature matched');
    }
  });

  test('the published signature is stale today', async () => {
    const push = { body: VECTOR.payload, headers: headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature), receivedAt: Date.now() };
    expect(await check(source().verify!(push))).toBe('timestamp outside tolerance');
  });
});

describe('standard-webhooks verify: signed by the standardwebhooks package', () => {
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });

  test('a correctly signed message verifies', async () => {
    expect(await check(source().verify!(signed(body)))).toBeNull();
  });

  test('a message signed with another secret does not', async () => {
    expect(await check(source().verify!(signed(body, { secret: OTHER_SECRET })))).toBe('no signature matched');
  });

  test('a tampered body, id or timestamp does not', async () => {
    const push = signed(body);
    expect(await check(source().verify!({ ...push, body: body.replace('inv_1', 'inv_2') }))).toBe('no signature matched');
    const otherId = new Headers(push.headers);
    otherId.set('webhook-id', 'msg_2');
    expect(await check(source().verify!({ ...push, headers: otherId }))).toBe('no signature matched');
    const otherTime = new Headers(push.headers);
    otherTime.set('webhook-timestamp', String(Number(push.headers.get('webhook-timestamp')) - 1));
    expect(await check(source().verify!({ ...push, headers: otherTime }))).toBe('no signature matched');
  });

  test('stale and future timestamps beyond five minutes fail; within them pass', async () => {
    const now = Date.now();
    expect(await check(source().verify!(signed(body, { at: now - 301_000 })))).toBe('timestamp outside tolerance');
    expect(await check(source().verify!(signed(body, { at: now + 302_000 })))).toBe('timestamp outside tolerance');
    expect(await check(source().verify!(signed(body, { at: now - 290_000 })))).toBeNull();
    expect(await check(source().verify!(signed(body, { at: now + 290_000 })))).toBeNull();
  });

  test('the tolerance is configurable', async () => {
    const strict = source({ 'timestamp.tolerance.seconds': '10' });
    expect(await check(strict.verify!(signed(body, { at: Date.now() - 20_000 })))).toBe('timestamp outside tolerance');
    expect(await check(strict.verify!(signed(body, { at: Date.now() - 2_000 })))).toBeNull();
  });

  test('rotated secrets: either configured secret verifies, a third does not', async () => {
    const rotating = source({ secrets: [OTHER_SECRET, VECTOR.secret] });
    expect(await check(rotating.verify!(signed(body)))).toBeNull();
    expect(await check(rotating.verify!(signed(body, { secret: OTHER_SECRET })))).toBeNull();
    const third = 'whsec_' + btoa('yet another secret, 32 bytes lo');
    expect(await check(rotating.verify!(signed(body, { secret: third })))).toBe('no signature matched');
  });

  test('missing headers are named', async () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const push = signed(body);
      push.headers.delete(name);
      expect(await check(source().verify!(push))).toBe(`missing ${name} header`);
    }
  });

  test('malformed headers are named', async () => {
    const push = signed(body);
    push.headers.set('webhook-timestamp', 'hello');
    expect(await check(source().verify!(push))).toBe('malformed webhook-timestamp header');
    const noComma = signed(body);
    noComma.headers.set('webhook-signature', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(await check(source().verify!(noComma))).toBe('malformed webhook-signature header');
  });

  test('a failed check never carries the secret or the expected signature', async () => {
    const push = signed(body);
    const expected = push.headers.get('webhook-signature')!;
    push.headers.set('webhook-signature', WRONG_V1);
    const failure = (await check(source().verify!(push)))!;
    expect(failure).not.toContain(VECTOR.secret.slice(6));
    expect(failure).not.toContain(expected.slice(3));
  });
});

describe('parseStandardSignatures', () => {
  test('keeps v1 signatures, skips other versions, null when nothing has the version,signature form', () => {
    expect(parseStandardSignatures(`${VECTOR.signature} v1a,abc`)?.length).toBe(1);
    expect(parseStandardSignatures('v2,AAAA')).toEqual([]);
    expect(parseStandardSignatures('garbage')).toBeNull();
  });
});

describe('standard-webhooks records', () => {
  const request = (id = 'msg_7') => ({ headers: headers(id, 1700000000, VECTOR.signature) });

  test('one message becomes one record: offset webhook-id, partition the connector, id and timestamp as headers', () => {
    const message = { type: 'invoice.paid', data: { id: 'inv_1' } };
    const [record] = recordsOf(source().toRecords([message], request()));
    expect(record).toEqual({
      topic: 'events',
      key: null,
      value: JSON.stringify(message),
      sourcePartition: 'events',
      sourceOffset: 'msg_7',
      headers: {
        'webhook-id': 'msg_7',
        'webhook-timestamp': '1700000000',
        'inlet.connector': 'events',
        'inlet.source.partition': 'events',
        'inlet.source.offset': 'msg_7',
        'inlet.auth': 'standard-webhooks',
      },
    });
  });

  test('key.field (a dotted path) becomes the Kafka key, and must then be present', () => {
    const keyed = source({ 'key.field': 'data.id' });
    expect(recordsOf(keyed.toRecords([{ data: { id: 'inv_1' } }], request()))[0]!.key).toBe('inv_1');
    expect(keyed.toRecords([{ data: {} }], request())).toEqual({ ok: false, issues: [{ index: 0, path: 'data.id', message: 'must be a string or a number' }] });
  });

  test('the body must be one JSON object', () => {
    expect(source().toRecords(['text'], request())).toEqual({ ok: false, issues: [{ index: 0, path: '', message: 'must be a JSON object' }] });
    expect(source().toRecords([[1, 2]], request())).toEqual({ ok: false, issues: [{ index: 0, path: '', message: 'must be a JSON object' }] });
    const batch = source().toRecords([{ a: 1 }, { a: 2 }], request());
    expect(batch.ok).toBe(false);
  });

  test('a secret that is not base64 fails config parsing without echoing it', () => {
    const result = v.safeParse(StandardWebhooksSourceConfigSchema, { 'connector.class': 'standard-webhooks', topic: 't', secrets: 'whsec_not base64!' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.issues?.map((i) => i.message))).not.toContain('not base64!');
  });
});
