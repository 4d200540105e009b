import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import {
  ConfigError,
  HIDDEN,
  isSecretKey,
  parseConnectorsJson,
  readDeclaredConnectors,
  redactSecrets,
  resolveSecretReferences,
  StripeSourceConfigSchema,
} from '../../src/config/index.ts';
import { resolveReferences } from '../../src/config/secrets.ts';
import { thrown } from '../support/thrown.ts';

const file = (config: Record<string, unknown>) =>
  JSON.stringify({ connectors: [{ name: 'payments', config: { 'connector.class': 'stripe', topic: 'payments', ...config } }] });

/** The message of the ConfigError `run` throws. */
const configError = (run: () => unknown): string => thrown(ConfigError, run).message;

describe('${env:NAME} config-provider references', () => {
  test('resolve anywhere in a string, several at once', () => {
    expect(resolveReferences('${env:A}', { A: 'x' })).toEqual({ value: 'x', problems: [] });
    expect(resolveReferences('pre-${env:A}-${env:B}', { A: 'x', B: 'y' })).toEqual({ value: 'pre-x-y', problems: [] });
    expect(resolveReferences('plain', {}).value).toBe('plain');
  });

  test('a missing variable or another provider is a problem naming it', () => {
    expect(resolveReferences('${env:NOPE}', {}).problems).toEqual(['environment variable NOPE is not set']);
    expect(resolveReferences('${file:/etc/secrets.properties:key}', {}).problems).toEqual(['config provider "file" is not supported (only ${env:NAME})']);
  });

  test('only secret-valued keys are resolved', () => {
    const { config, issues } = resolveSecretReferences({ secrets: '${env:S}', 'auth.tokens': ['${env:T}', 'lit'], topic: '${env:S}' }, { S: 's3cret', T: 't0ken' });
    expect(issues).toEqual([]);
    expect(config).toEqual({ secrets: 's3cret', 'auth.tokens': ['t0ken', 'lit'], topic: '${env:S}' });
  });

  test('the worker reads a connectors file once: validated against the environment, kept as declared for the config topic', () => {
    const text = file({ secrets: '${env:STRIPE_A}', 'dedupe.window.ms': '60000' });
    expect(readDeclaredConnectors(text, 'c.json', { STRIPE_A: 'whsec_a' })).toEqual([
      { name: 'payments', properties: { 'connector.class': 'stripe', topic: 'payments', secrets: '${env:STRIPE_A}', 'dedupe.window.ms': '60000' } },
    ]);
    expect(configError(() => readDeclaredConnectors(text, 'c.json', {}))).toContain('environment variable STRIPE_A is not set');
    expect(configError(() => readDeclaredConnectors('{"connectors": [', 'c.json', {}))).toContain('c.json: not valid JSON');
  });

  test('a connectors file resolves secrets from the environment it is given', () => {
    const env = { STRIPE_A: 'whsec_a', STRIPE_B: 'whsec_b' };
    const asString = parseConnectorsJson(file({ secrets: '${env:STRIPE_A},${env:STRIPE_B}' }), 'c.json', env);
    expect(asString.connectors[0]!.config).toMatchObject({ secrets: ['whsec_a', 'whsec_b'] });
    const asList = parseConnectorsJson(file({ secrets: ['${env:STRIPE_B}'] }), 'c.json', env);
    expect(asList.connectors[0]!.config).toMatchObject({ secrets: ['whsec_b'] });
  });

  test('by default from the process environment', () => {
    process.env.INLET_TEST_STRIPE_SECRET = 'whsec_from_process';
    try {
      const parsed = parseConnectorsJson(file({ secrets: '${env:INLET_TEST_STRIPE_SECRET}' }), 'c.json');
      expect(parsed.connectors[0]!.config).toMatchObject({ secrets: ['whsec_from_process'] });
    } finally {
      delete process.env.INLET_TEST_STRIPE_SECRET;
    }
  });

  test('a missing variable fails config parsing naming the key and the variable', () => {
    expect(configError(() => parseConnectorsJson(file({ secrets: '${env:MISSING_SECRET}' }), 'c.json', {}))).toBe(
      'c.json: connectors.0.config.secrets: environment variable MISSING_SECRET is not set',
    );
  });

  test('a reference left unresolved is refused by the schema, not used as a key', () => {
    const result = v.safeParse(StripeSourceConfigSchema, { 'connector.class': 'stripe', topic: 't', secrets: '${env:X}' });
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toBe('holds an unresolved ${…} config provider reference');
  });

  test('schema errors on a secret do not quote its value', () => {
    const message = configError(() => parseConnectorsJson(file({ secrets: 12345678 }), 'c.json', {}));
    expect(message).toContain('connectors.0.config.secrets');
    expect(message).not.toContain('12345678');
  });
});

describe('redactSecrets', () => {
  test('hides secret values as Kafka Connect does and keeps the rest', () => {
    const config = { 'connector.class': 'webhook', topic: 'hooks', 'auth.type': 'bearer', 'auth.tokens': ['a', 'b'], 'auth.secrets': undefined };
    expect(redactSecrets(config)).toEqual({ 'connector.class': 'webhook', topic: 'hooks', 'auth.type': 'bearer', 'auth.tokens': HIDDEN, 'auth.secrets': undefined });
    expect(redactSecrets({ secrets: ['whsec_x'], 'timestamp.tolerance.seconds': 300 })).toEqual({ secrets: '[hidden]', 'timestamp.tolerance.seconds': 300 });
    expect(JSON.stringify(redactSecrets({ 'connection.password': 'pw' }))).not.toContain('pw');
  });

  test('knows which keys are secret', () => {
    for (const key of ['secrets', 'secret', 'auth.secrets', 'auth.tokens', 'auth.token', 'connection.password']) expect(isSecretKey(key)).toBe(true);
    for (const key of ['topic', 'auth.type', 'auth.header', 'key.field', 'secrets.count', 'tokenizer']) expect(isSecretKey(key)).toBe(false);
  });
});
