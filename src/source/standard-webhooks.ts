import * as v from 'valibot';
import type { StandardWebhooksSourceConfig } from '../config/index.ts';
import { base64ToBytes, failed, headerValue, HmacSha256, parseUnixSeconds, VERIFIED, withinTolerance } from './signature.ts';
import { objectMessage, parseSingleEvent, scalarKey, signedEventRecords, valueAt } from './signed-event.ts';
import type { IngestRequest, RawPush, SourceConnector, ToRecordsResult, VerifyResult } from './types.ts';
import { connectorBase } from './connector-base.ts';
import { dedupeHeaderIssue } from './dedupe-key.ts';

export const STANDARD_WEBHOOKS_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const MessageSchema = v.looseObject({}, objectMessage);

/** `whsec_<base64>` (the prefix is optional, as in the reference libraries) to the HMAC key. */
export function standardWebhooksKey(secret: string): Uint8Array<ArrayBuffer> {
  const key = base64ToBytes(secret.replace(/^whsec_/, ''));
  if (!key || key.length === 0) throw new Error('a Standard Webhooks secret must be base64, optionally prefixed whsec_');
  return key;
}

/**
 * The v1 signatures of a `webhook-signature` header (space-separated `v1,<base64>`; other versions
 * such as `v1a` are skipped). Null when no entry has the `<version>,<signature>` form at all.
 */
export function parseStandardSignatures(header: string): Uint8Array[] | null {
  const entries = header.split(' ').filter(Boolean);
  const v1: Uint8Array[] = [];
  let wellFormed = 0;
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0) continue;
    wellFormed++;
    if (entry.slice(0, comma) !== 'v1') continue;
    const signature = base64ToBytes(entry.slice(comma + 1));
    if (signature) v1.push(signature);
  }
  return wellFormed === 0 ? null : v1;
}

/** Standard Webhooks source: verifies `webhook-signature`, keys retries by `webhook-id`. */
export function createStandardWebhooksSource(name: string, config: StandardWebhooksSourceConfig): SourceConnector {
  const hmac = new HmacSha256(config.secrets.map(standardWebhooksKey));
  const tolerance = config['timestamp.tolerance.seconds'];
  const keyField = config['key.field'];

  async function verify(push: RawPush): Promise<VerifyResult> {
    const id = headerValue(push.headers, STANDARD_WEBHOOKS_HEADERS.id);
    if (id === null) return failed('missing webhook-id header');
    const timestamp = headerValue(push.headers, STANDARD_WEBHOOKS_HEADERS.timestamp);
    if (timestamp === null) return failed('missing webhook-timestamp header');
    const signatureHeader = headerValue(push.headers, STANDARD_WEBHOOKS_HEADERS.signature);
    if (signatureHeader === null) return failed('missing webhook-signature header');
    const seconds = parseUnixSeconds(timestamp);
    if (seconds === null) return failed('malformed webhook-timestamp header');
    const signatures = parseStandardSignatures(signatureHeader);
    if (signatures === null) return failed('malformed webhook-signature header');
    if (!(await hmac.matchesAny(`${id}.${timestamp}.${push.body}`, signatures))) return failed('no signature matched');
    // Checked after the signature: only a genuine message, replayed or delayed, reaches this.
    if (!withinTolerance(seconds, push.receivedAt, tolerance)) return failed('timestamp outside tolerance');
    return VERIFIED;
  }

  function toRecords(items: readonly unknown[], request: IngestRequest): ToRecordsResult {
    const parsed = parseSingleEvent(MessageSchema, items);
    if (!parsed.ok) return parsed;
    const id = headerValue(request.headers, STANDARD_WEBHOOKS_HEADERS.id);
    if (id === null) return { ok: false, issues: [{ index: 0, path: '', message: 'webhook-id header is missing' }] };
    const tooLong = dedupeHeaderIssue(STANDARD_WEBHOOKS_HEADERS.id, id);
    if (tooLong) return { ok: false, issues: [tooLong] };
    let key: string | null = null;
    if (keyField) {
      key = scalarKey(valueAt(parsed.event, keyField));
      if (key === null) return { ok: false, issues: [{ index: 0, path: keyField, message: 'must be a string or a number' }] };
    }
    return signedEventRecords({
      connector: name,
      auth: 'standard-webhooks',
      topic: config.topic,
      key,
      value: parsed.event,
      text: request.texts?.[0],
      sourceOffset: id,
      headers: {
        [STANDARD_WEBHOOKS_HEADERS.id]: id,
        [STANDARD_WEBHOOKS_HEADERS.timestamp]: headerValue(request.headers, STANDARD_WEBHOOKS_HEADERS.timestamp) ?? '',
      },
    });
  }

  return {
    ...connectorBase(name, config),
    verify,
    toRecords,
  };
}
