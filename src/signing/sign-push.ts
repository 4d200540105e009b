// Signs a push the way each source connector verifies it (src/source/*; DESIGN.md's reference
// formats), with Web Crypto only, so `inlet send` (Node, Bun) and the console's test events (the
// worker) share it.

/** A push that cannot be signed as asked: no secret, a malformed one, or a connector that takes no pushes. */
export class PushSigningError extends Error {
  override readonly name = 'PushSigningError';
}

const usageError = (message: string) => new PushSigningError(message);

const encoder = new TextEncoder();

async function hmacSha256(key: Uint8Array<ArrayBuffer>, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `whsec_<base64>` (prefix optional) to the key, as the Standard Webhooks libraries read it. */
function standardWebhooksKey(secret: string): Uint8Array<ArrayBuffer> {
  const text = secret.replace(/^whsec_/, '');
  let binary: string;
  try {
    binary = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? atob(text) : '';
  } catch {
    binary = '';
  }
  if (binary === '') throw usageError('a Standard Webhooks secret is base64, optionally prefixed whsec_');
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export interface PushToSign {
  /** `connector.class` of the connector the push is for. */
  connectorClass: string;
  /** Its config as GET /connectors/{name}/config shows it (secrets hidden; only header names are read). */
  config: Record<string, string>;
  body: string;
  secret: string | undefined;
  /** The event or delivery id (Standard Webhooks' webhook-id, GitHub's delivery, the webhook's Idempotency-Key). */
  id: string;
  /** GitHub's X-GitHub-Event. */
  event: string;
  nowSeconds: number;
}

function needSecret(push: PushToSign): string {
  if (!push.secret) throw usageError(`a ${push.connectorClass} connector verifies its pushes: give its secret (--secret or INLET_SEND_SECRET for inlet send)`);
  return push.secret;
}

/** The headers a push for this connector class needs, signature included. */
export async function signPush(push: PushToSign): Promise<Record<string, string>> {
  const json = { 'content-type': 'application/json' };
  switch (push.connectorClass) {
    case 'standard-webhooks': {
      const timestamp = String(push.nowSeconds);
      const signature = toBase64(await hmacSha256(standardWebhooksKey(needSecret(push)), `${push.id}.${timestamp}.${push.body}`));
      return { ...json, 'webhook-id': push.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
    }
    case 'stripe': {
      const t = String(push.nowSeconds);
      const signature = hex(await hmacSha256(encoder.encode(needSecret(push)), `${t}.${push.body}`));
      return { ...json, 'stripe-signature': `t=${t},v1=${signature}` };
    }
    case 'github': {
      const signature = hex(await hmacSha256(encoder.encode(needSecret(push)), push.body));
      return { ...json, 'x-hub-signature-256': `sha256=${signature}`, 'x-github-delivery': push.id, 'x-github-event': push.event };
    }
    case 'webhook': {
      const headers: Record<string, string> = { ...json, 'idempotency-key': push.id };
      const auth = push.config['auth.type'] ?? 'none';
      if (auth === 'hmac-sha256') {
        headers[push.config['auth.header'] ?? 'X-Signature'] = `sha256=${hex(await hmacSha256(encoder.encode(needSecret(push)), push.body))}`;
      } else if (auth === 'bearer') {
        headers.authorization = `Bearer ${needSecret(push)}`;
      }
      return headers;
    }
    case 'debezium':
      return json;
    default:
      throw usageError(`cannot send to a ${push.connectorClass} connector: only source connectors take pushes`);
  }
}
