import * as v from 'valibot';
import type { GithubSourceConfig } from '../config/index.ts';
import { failed, headerValue, hexToBytes, HmacSha256, utf8, VERIFIED } from './signature.ts';
import { objectMessage, parseSingleEvent, scalarKey, signedEventRecords, valueAt } from './signed-event.ts';
import type { IngestRequest, RawPush, SourceConnector, ToRecordsResult, VerifyResult } from './types.ts';
import { connectorBase } from './connector-base.ts';
import { dedupeHeaderIssue } from './dedupe-key.ts';

export const GITHUB_HEADERS = {
  signature: 'X-Hub-Signature-256',
  delivery: 'X-GitHub-Delivery',
  event: 'X-GitHub-Event',
} as const;

/** Kafka header names of the delivery's GitHub headers. */
export const GITHUB_RECORD_HEADERS = { event: 'github.event', delivery: 'github.delivery' } as const;

const PayloadSchema = v.looseObject({}, objectMessage);

/** The digest of `sha256=<64 hex>`; null for anything else. */
export function parseGithubSignature(header: string): Uint8Array | null {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header);
  return match ? hexToBytes(match[1]!) : null;
}

/**
 * GitHub webhook (content type application/json): verifies `X-Hub-Signature-256`; a redelivery
 * keeps its `X-GitHub-Delivery`, so it is recognised as a duplicate. Keyed by repository.
 */
export function createGithubSource(name: string, config: GithubSourceConfig): SourceConnector {
  const hmac = new HmacSha256(config.secrets.map(utf8));

  async function verify(push: RawPush): Promise<VerifyResult> {
    const header = headerValue(push.headers, GITHUB_HEADERS.signature);
    if (header === null) return failed(`missing ${GITHUB_HEADERS.signature} header`);
    const signature = parseGithubSignature(header);
    if (signature === null) return failed(`malformed ${GITHUB_HEADERS.signature} header`);
    // The delivery id is the source offset: without it a redelivery could not be recognised.
    if (headerValue(push.headers, GITHUB_HEADERS.delivery) === null) return failed(`missing ${GITHUB_HEADERS.delivery} header`);
    if (headerValue(push.headers, GITHUB_HEADERS.event) === null) return failed(`missing ${GITHUB_HEADERS.event} header`);
    if (!(await hmac.matchesAny(push.body, [signature]))) return failed('no signature matched');
    return VERIFIED;
  }

  function toRecords(items: readonly unknown[], request: IngestRequest): ToRecordsResult {
    const parsed = parseSingleEvent(PayloadSchema, items);
    if (!parsed.ok) return parsed;
    const delivery = headerValue(request.headers, GITHUB_HEADERS.delivery);
    const event = headerValue(request.headers, GITHUB_HEADERS.event);
    if (delivery === null || event === null) {
      return { ok: false, issues: [{ index: 0, path: '', message: 'X-GitHub-Delivery and X-GitHub-Event headers are required' }] };
    }
    const tooLong = dedupeHeaderIssue(GITHUB_HEADERS.delivery, delivery);
    if (tooLong) return { ok: false, issues: [tooLong] };
    return signedEventRecords({
      connector: name,
      auth: 'github',
      topic: config.topic,
      key: scalarKey(valueAt(parsed.event, 'repository.full_name')),
      value: parsed.event,
      text: request.texts?.[0],
      sourceOffset: delivery,
      headers: { [GITHUB_RECORD_HEADERS.event]: event, [GITHUB_RECORD_HEADERS.delivery]: delivery },
    });
  }

  return {
    ...connectorBase(name, config),
    verify,
    toRecords,
  };
}
