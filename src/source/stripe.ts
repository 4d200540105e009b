import * as v from 'valibot';
import type { StripeSourceConfig } from '../config/index.ts';
import { failed, headerValue, hexToBytes, HmacSha256, parseUnixSeconds, utf8, VERIFIED, withinTolerance } from './signature.ts';
import { objectMessage, parseSingleEvent, scalarKey, signedEventRecords, valueAt } from './signed-event.ts';
import type { IngestRequest, RawPush, SourceConnector, ToRecordsResult, VerifyResult } from './types.ts';
import { connectorBase } from './connector-base.ts';
import { dedupeKeyField } from './dedupe-key.ts';

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';
export const STRIPE_EVENT_TYPE_HEADER = 'stripe.event.type';

/** The fields Inlet relies on; the rest of the event passes through unchanged. */
export const StripeEventSchema = v.looseObject(
  {
    id: v.pipe(v.string('must be a string'), v.startsWith('evt_', 'must start with evt_'), dedupeKeyField),
    object: v.literal('event', 'must be "event"'),
    type: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  },
  objectMessage,
);

export interface StripeSignatureHeader {
  timestamp: string;
  /** Signatures of the `v1` scheme; other schemes (`v0`, test-mode extras) are ignored. */
  v1: Uint8Array[];
}

/** Parses `t=<unix>,v1=<hex>[,v1=<hex>…]`; null when it does not have that shape. */
export function parseStripeSignature(header: string): StripeSignatureHeader | null {
  let timestamp: string | null = null;
  const v1: Uint8Array[] = [];
  for (const item of header.split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) return null;
    const scheme = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    if (scheme === 't') {
      if (timestamp !== null || parseUnixSeconds(value) === null) return null;
      timestamp = value;
    } else if (scheme === 'v1') {
      const signature = hexToBytes(value);
      if (signature) v1.push(signature);
    }
  }
  return timestamp === null ? null : { timestamp, v1 };
}

/**
 * Stripe webhook endpoint: verifies `Stripe-Signature`; one event a push, recognised again by its
 * `evt_…` id; keyed by the object it is about, so one object's events stay in order.
 */
export function createStripeSource(name: string, config: StripeSourceConfig): SourceConnector {
  // Stripe uses the endpoint secret's text (`whsec_…`) as the key, not its decoding.
  const hmac = new HmacSha256(config.secrets.map(utf8));
  const tolerance = config['timestamp.tolerance.seconds'];

  async function verify(push: RawPush): Promise<VerifyResult> {
    const header = headerValue(push.headers, STRIPE_SIGNATURE_HEADER);
    if (header === null) return failed('missing Stripe-Signature header');
    const signature = parseStripeSignature(header);
    if (signature === null) return failed('malformed Stripe-Signature header');
    if (signature.v1.length === 0) return failed('no v1 signature in Stripe-Signature header');
    if (!(await hmac.matchesAny(`${signature.timestamp}.${push.body}`, signature.v1))) return failed('no signature matched');
    if (!withinTolerance(Number(signature.timestamp), push.receivedAt, tolerance)) return failed('timestamp outside tolerance');
    return VERIFIED;
  }

  function toRecords(items: readonly unknown[], request: IngestRequest): ToRecordsResult {
    const parsed = parseSingleEvent(StripeEventSchema, items);
    if (!parsed.ok) return parsed;
    const event = parsed.event;
    return signedEventRecords({
      connector: name,
      auth: 'stripe',
      topic: config.topic,
      key: scalarKey(valueAt(event, 'data.object.id')) ?? event.id,
      value: event,
      text: request.texts?.[0],
      sourceOffset: event.id,
      headers: { [STRIPE_EVENT_TYPE_HEADER]: event.type },
    });
  }

  return {
    ...connectorBase(name, config),
    verify,
    toRecords,
  };
}
