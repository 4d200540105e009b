// Optional authentication of the generic webhook source (`auth.type`): an HMAC of the body in a
// header, or a bearer token.
import type { WebhookSourceConfig } from '../config/index.ts';
import { failed, headerValue, hexToBytes, HmacSha256, sha256, timingSafeEqual, utf8, VERIFIED } from './signature.ts';
import type { RawPush, VerifyResult } from './types.ts';

export const DEFAULT_SIGNATURE_HEADER = 'X-Signature';

export type Verifier = (push: RawPush) => Promise<VerifyResult>;

/** The digest of `<64 hex>` or `sha256=<64 hex>`; null for anything else. */
export function parseHexSignature(header: string): Uint8Array | null {
  const match = /^(?:sha256=)?([0-9a-fA-F]{64})$/.exec(header);
  return match ? hexToBytes(match[1]!) : null;
}

function required<T>(value: T | undefined, key: string): T {
  // The config schema's cross-key check guarantees this; a config built some other way may not.
  if (value === undefined) throw new Error(`${key} is required by auth.type`);
  return value;
}

function hmacVerifier(config: WebhookSourceConfig): Verifier {
  const header = config['auth.header'] ?? DEFAULT_SIGNATURE_HEADER;
  const hmac = new HmacSha256(required(config['auth.secrets'], 'auth.secrets').map(utf8));
  return async (push) => {
    const value = headerValue(push.headers, header);
    if (value === null) return failed(`missing ${header} header`);
    const signature = parseHexSignature(value);
    if (signature === null) return failed(`malformed ${header} header`);
    return (await hmac.matchesAny(push.body, [signature])) ? VERIFIED : failed('no signature matched');
  };
}

function bearerVerifier(config: WebhookSourceConfig): Verifier {
  // Tokens are compared by their SHA-256, so the comparison's time says nothing about their length.
  const accepted = Promise.all(required(config['auth.tokens'], 'auth.tokens').map(sha256));
  return async (push) => {
    const value = headerValue(push.headers, 'Authorization');
    if (value === null) return failed('missing Authorization header');
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match) return failed('malformed Authorization header');
    const presented = await sha256(match[1]!);
    let matched = false;
    for (const token of await accepted) if (timingSafeEqual(presented, token)) matched = true;
    return matched ? VERIFIED : failed('bearer token did not match');
  };
}

/** The verifier `auth.type` asks for; undefined for `none` (no authentication). */
export function createWebhookAuth(config: WebhookSourceConfig): Verifier | undefined {
  switch (config['auth.type'] ?? 'none') {
    case 'none':
      return undefined;
    case 'hmac-sha256':
      return hmacVerifier(config);
    case 'bearer':
      return bearerVerifier(config);
  }
}
