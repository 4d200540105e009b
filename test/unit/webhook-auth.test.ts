import { sign } from '@octokit/webhooks-methods';
import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { ConfigError, parseConnectorsJson, WebhookSourceConfigSchema } from '../../src/config/index.ts';
import { createWebhookSource } from '../../src/source/webhook.ts';
import { check } from '../support/source.ts';

function webhook(config: Record<string, unknown>) {
  return createWebhookSource('hooks', v.parse(WebhookSourceConfigSchema, { 'connector.class': 'webhook', topic: 'hooks', ...config }));
}

const push = (body: string, headers: Record<string, string>) => ({ body, headers: new Headers(headers), receivedAt: Date.now() });
const body = '{"id":1}';

describe('webhook auth.type', () => {
  test('none (the default) has no verify step', () => {
    expect(webhook({}).verify).toBeUndefined();
    expect(webhook({ 'auth.type': 'none' }).verify).toBeUndefined();
  });

  describe('hmac-sha256', () => {
    const source = webhook({ 'auth.type': 'hmac-sha256', 'auth.secrets': 'k1' });

    test('a sha256=-prefixed or bare hex HMAC of the body in X-Signature verifies', async () => {
      const signature = await sign('k1', body);
      expect(await check(source.verify!(push(body, { 'X-Signature': signature })))).toBeNull();
      expect(await check(source.verify!(push(body, { 'x-signature': signature.slice(7).toUpperCase() })))).toBeNull();
    });

    test('another secret or a tampered body does not', async () => {
      expect(await check(source.verify!(push(body, { 'X-Signature': await sign('k2', body) })))).toBe('no signature matched');
      expect(await check(source.verify!(push('{"id":2}', { 'X-Signature': await sign('k1', body) })))).toBe('no signature matched');
    });

    test('missing and malformed headers are named, with the configured header name', async () => {
      expect(await check(source.verify!(push(body, {})))).toBe('missing X-Signature header');
      expect(await check(source.verify!(push(body, { 'X-Signature': 'sha256=abc' })))).toBe('malformed X-Signature header');
      const custom = webhook({ 'auth.type': 'hmac-sha256', 'auth.secrets': 'k1', 'auth.header': 'X-Hook-Sig' });
      expect(await check(custom.verify!(push(body, { 'X-Signature': await sign('k1', body) })))).toBe('missing X-Hook-Sig header');
      expect(await check(custom.verify!(push(body, { 'X-Hook-Sig': await sign('k1', body) })))).toBeNull();
    });

    test('rotated secrets both verify', async () => {
      const rotating = webhook({ 'auth.type': 'hmac-sha256', 'auth.secrets': ['k0', 'k1'] });
      expect(await check(rotating.verify!(push(body, { 'X-Signature': await sign('k0', body) })))).toBeNull();
      expect(await check(rotating.verify!(push(body, { 'X-Signature': await sign('k1', body) })))).toBeNull();
    });
  });

  describe('bearer', () => {
    const source = webhook({ 'auth.type': 'bearer', 'auth.tokens': 'tok-old,tok-new' });

    test('any configured token verifies', async () => {
      expect(await check(source.verify!(push(body, { Authorization: 'Bearer tok-new' })))).toBeNull();
      expect(await check(source.verify!(push(body, { Authorization: 'bearer tok-old' })))).toBeNull();
    });

    test('a wrong token, a prefix of a token, a missing or a non-bearer header fail with their check', async () => {
      expect(await check(source.verify!(push(body, { Authorization: 'Bearer tok' })))).toBe('bearer token did not match');
      expect(await check(source.verify!(push(body, { Authorization: 'Bearer tok-newer' })))).toBe('bearer token did not match');
      expect(await check(source.verify!(push(body, {})))).toBe('missing Authorization header');
      expect(await check(source.verify!(push(body, { Authorization: 'Basic dG9rLW5ldw==' })))).toBe('malformed Authorization header');
    });
  });

  test('a secret-requiring auth.type without its secret fails config parsing naming the key', () => {
    const file = (config: Record<string, unknown>) => JSON.stringify({ connectors: [{ name: 'hooks', config: { 'connector.class': 'webhook', topic: 'hooks', ...config } }] });
    expect(() => parseConnectorsJson(file({ 'auth.type': 'hmac-sha256' }), 'c.json')).toThrow(
      new ConfigError('c.json: connectors.0.config.auth.secrets: is required when auth.type is hmac-sha256'),
    );
    expect(() => parseConnectorsJson(file({ 'auth.type': 'bearer' }), 'c.json')).toThrow('connectors.0.config.auth.tokens: is required when auth.type is bearer');
    expect(() => parseConnectorsJson(file({ 'auth.type': 'basic' }), 'c.json')).toThrow('connectors.0.config.auth.type: must be none, hmac-sha256 or bearer');
  });
});
