import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { SourceConfigSchemas } from '../../src/config/index.ts';
import { signPush } from '../../src/signing/index.ts';
import { createSourceConnector } from '../../src/source/index.ts';
import { check } from '../support/source.ts';

const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: { id: 'in_1' } } });
const WHSEC = `whsec_${btoa('a standard webhooks key 32 bytes')}`;

/** A push as `inlet send` would sign it, checked by the source connector's own verifier. */
async function verdict(config: Record<string, unknown>, secret: string | undefined) {
  const schema = SourceConfigSchemas.find((s) => s.entries['connector.class'].literal === config['connector.class'])!;
  const source = createSourceConnector('hooks', v.parse(schema, { topic: 'hooks', ...config }) as never);
  const shown = Object.fromEntries(Object.entries(config).map(([k, value]) => [k, String(value)]));
  const headers = await signPush({ connectorClass: String(config['connector.class']), config: shown, body, secret, id: 'evt_1', event: 'push', nowSeconds: Math.floor(Date.now() / 1000) });
  return check(source.verify!({ body, headers: new Headers(headers), receivedAt: Date.now() }));
}

describe('inlet send signs a push the way each source verifies it', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['standard-webhooks', { 'connector.class': 'standard-webhooks', secrets: WHSEC }, WHSEC, `whsec_${btoa('another key of thirty-two bytes!')}`],
    ['stripe', { 'connector.class': 'stripe', secrets: 'sk_stripe_secret' }, 'sk_stripe_secret', 'other'],
    ['github', { 'connector.class': 'github', secrets: 'gh-secret' }, 'gh-secret', 'other'],
    ['webhook hmac-sha256', { 'connector.class': 'webhook', 'auth.type': 'hmac-sha256', 'auth.header': 'X-Hook-Signature', 'auth.secrets': 'hmac-secret' }, 'hmac-secret', 'other'],
    ['webhook bearer', { 'connector.class': 'webhook', 'auth.type': 'bearer', 'auth.tokens': 'bearer-token' }, 'bearer-token', 'other'],
  ];
  for (const [name, config, secret, wrong] of cases) {
    test(`${name}: verifies with the secret, not with another`, async () => {
      expect(await verdict(config, secret)).toBeNull();
      expect(await verdict(config, wrong)).not.toBeNull();
    });
  }

  test('a signed type without a secret is a usage error', async () => {
    await expect(verdict({ 'connector.class': 'stripe', secrets: 'x' }, undefined)).rejects.toThrow('INLET_SEND_SECRET');
  });
});
