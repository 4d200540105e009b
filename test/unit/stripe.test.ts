import { describe, expect, test } from 'bun:test';
import Stripe from 'stripe';
import * as v from 'valibot';
import { StripeSourceConfigSchema } from '../../src/config/index.ts';
import { createStripeSource, parseStripeSignature } from '../../src/source/stripe.ts';
import { check, recordsOf } from '../support/source.ts';

const SECRET = 'whsec_test_endpoint_secret_1';
const OTHER_SECRET = 'whsec_test_endpoint_secret_2';
// The official client signs test headers exactly as Stripe signs deliveries; no network is used.
const stripe = new Stripe('sk_test_unused');

function source(config: Record<string, unknown> = {}) {
  return createStripeSource('payments', v.parse(StripeSourceConfigSchema, { 'connector.class': 'stripe', topic: 'payments', secrets: SECRET, ...config }));
}

const event = (id = 'evt_1', object: Record<string, unknown> | null = { id: 'pi_1', object: 'payment_intent' }) => ({
  id,
  object: 'event',
  type: 'payment_intent.succeeded',
  created: 1700000000,
  data: object === null ? {} : { object },
});

async function signed(body: string, { secret = SECRET, at = Date.now() } = {}) {
  const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret, timestamp: Math.floor(at / 1000) });
  return { body, headers: new Headers({ 'Stripe-Signature': header }), receivedAt: Date.now() };
}

describe('stripe verify (signed by the stripe package)', () => {
  const body = JSON.stringify(event());

  test('a correctly signed event verifies', async () => {
    expect(await check(source().verify!(await signed(body)))).toBeNull();
  });

  test('an event signed with another secret does not', async () => {
    expect(await check(source().verify!(await signed(body, { secret: OTHER_SECRET })))).toBe('no signature matched');
  });

  test('a tampered body or timestamp does not', async () => {
    const push = await signed(body);
    expect(await check(source().verify!({ ...push, body: body.replace('pi_1', 'pi_2') }))).toBe('no signature matched');
    const header = push.headers.get('Stripe-Signature')!;
    const t = Number(/t=(\d+)/.exec(header)![1]);
    const moved = header.replace(`t=${t}`, `t=${t - 1}`);
    expect(await check(source().verify!({ ...push, headers: new Headers({ 'Stripe-Signature': moved }) }))).toBe('no signature matched');
  });

  test('stale and future timestamps beyond the tolerance fail; the tolerance is configurable', async () => {
    const now = Date.now();
    expect(await check(source().verify!(await signed(body, { at: now - 301_000 })))).toBe('timestamp outside tolerance');
    expect(await check(source().verify!(await signed(body, { at: now + 302_000 })))).toBe('timestamp outside tolerance');
    expect(await check(source().verify!(await signed(body, { at: now - 290_000 })))).toBeNull();
    const lenient = source({ 'timestamp.tolerance.seconds': 3600 });
    expect(await check(lenient.verify!(await signed(body, { at: now - 1800_000 })))).toBeNull();
  });

  test('several v1 signatures, one of which matches, verify; v0 and unknown schemes are ignored', async () => {
    const push = await signed(body);
    const [t, v1] = push.headers.get('Stripe-Signature')!.split(',');
    const decoy = `v1=${'0'.repeat(64)}`;
    const header = [t, decoy, 'v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39', v1, 'x9=whatever'].join(',');
    expect(await check(source().verify!({ ...push, headers: new Headers({ 'Stripe-Signature': header }) }))).toBeNull();
    const onlyDecoys = [t, decoy, `v0=${v1!.slice(3)}`].join(',');
    expect(await check(source().verify!({ ...push, headers: new Headers({ 'Stripe-Signature': onlyDecoys }) }))).toBe('no signature matched');
  });

  test('rotated secrets: either configured secret verifies', async () => {
    const rotating = source({ secrets: [OTHER_SECRET, SECRET] });
    expect(await check(rotating.verify!(await signed(body)))).toBeNull();
    expect(await check(rotating.verify!(await signed(body, { secret: OTHER_SECRET })))).toBeNull();
    expect(await check(rotating.verify!(await signed(body, { secret: 'whsec_third' })))).toBe('no signature matched');
  });

  test('a missing header is named', async () => {
    expect(await check(source().verify!({ body, headers: new Headers(), receivedAt: Date.now() }))).toBe('missing Stripe-Signature header');
  });

  test('malformed headers are named', async () => {
    const v1 = `v1=${'a'.repeat(64)}`;
    for (const header of ['garbage', `t=abc,${v1}`, v1, `t=1,t=2,${v1}`, `t=${Math.floor(Date.now() / 1000)},,${v1}`]) {
      const push = { body, headers: new Headers({ 'Stripe-Signature': header }), receivedAt: Date.now() };
      expect(await check(source().verify!(push))).toBe('malformed Stripe-Signature header');
    }
    const v0Only = { body, headers: new Headers({ 'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v0=${'a'.repeat(64)}` }), receivedAt: Date.now() };
    expect(await check(source().verify!(v0Only))).toBe('no v1 signature in Stripe-Signature header');
  });

  test('a failed check never carries the secret or the expected signature', async () => {
    const push = await signed(body);
    const expected = /v1=([0-9a-f]+)/.exec(push.headers.get('Stripe-Signature')!)![1]!;
    const failure = (await check(source({ secrets: OTHER_SECRET }).verify!(push)))!;
    expect(failure).not.toContain(SECRET);
    expect(failure).not.toContain(OTHER_SECRET);
    expect(failure).not.toContain(expected);
  });
});

describe('parseStripeSignature', () => {
  test('reads the timestamp and every v1 signature', () => {
    const parsed = parseStripeSignature(`t=12,v1=${'ab'.repeat(32)},v0=00,v1=${'cd'.repeat(32)}`);
    expect(parsed?.timestamp).toBe('12');
    expect(parsed?.v1.length).toBe(2);
  });
});

describe('stripe records', () => {
  const request = { headers: new Headers() };

  test('one event becomes one record: offset the event id, key the object id, type as a header', () => {
    const payload = event('evt_42');
    const [record] = recordsOf(source().toRecords([payload], request));
    expect(record).toEqual({
      topic: 'payments',
      key: 'pi_1',
      value: JSON.stringify(payload),
      sourcePartition: 'payments',
      sourceOffset: 'evt_42',
      headers: {
        'stripe.event.type': 'payment_intent.succeeded',
        'inlet.connector': 'payments',
        'inlet.source.partition': 'payments',
        'inlet.source.offset': 'evt_42',
        'inlet.auth': 'stripe',
      },
    });
  });

  test('an event without an object id is keyed by its own id', () => {
    expect(recordsOf(source().toRecords([event('evt_9', null)], request))[0]!.key).toBe('evt_9');
  });

  test('an event must have an evt_ id, object "event" and a type', () => {
    const issues = (item: unknown) => {
      const result = source().toRecords([item], request);
      return result.ok ? [] : result.issues.map((i) => [i.path, i.message]);
    };
    expect(issues({ ...event(), id: 'ch_1' })).toEqual([['id', 'must start with evt_']]);
    expect(issues({ ...event(), object: 'charge' })).toEqual([['object', 'must be "event"']]);
    const { type: _type, ...untyped } = event();
    expect(issues(untyped)).toEqual([['type', 'is required']]);
    expect(issues('evt_1')).toEqual([['', 'must be a JSON object']]);
  });

  test('a push carries one event, not a batch', () => {
    const result = source().toRecords([event('evt_1'), event('evt_2')], request);
    expect(result.ok).toBe(false);
  });
});
