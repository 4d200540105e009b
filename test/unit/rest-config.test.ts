import { describe, expect, test } from 'bun:test';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as v from 'valibot';
import {
  checkConnectorConfig,
  DatabaseSinkConfigSchema,
  envAllowlist,
  HIDDEN,
  keepStoredValues,
  readWorkerEnv,
  redactSecrets,
  redactUrlPasswords,
  restEnvAccess,
  shownValue,
  StandardWebhooksSourceConfigSchema,
  validateConnectorConfig,
} from '../../src/config/index.ts';
import { sqliteOutsideDataDir } from '../../src/db/drivers/index.ts';
import { tempDir } from '../support/wait.ts';

describe('URL passwords are redacted like PASSWORD values', () => {
  test('the userinfo password of any URL, and a password= parameter', () => {
    expect(redactUrlPasswords('postgres://inlet:s3cret@db:5432/app')).toBe(`postgres://inlet:${HIDDEN}@db:5432/app`);
    expect(redactUrlPasswords('postgresql://u:p%40ss@h/d?sslmode=require')).toBe(`postgresql://u:${HIDDEN}@h/d?sslmode=require`);
    // An unencoded "@" in the password: userinfo runs to the authority's last "@".
    expect(redactUrlPasswords('postgres://u:a@b@h/d')).toBe(`postgres://u:${HIDDEN}@h/d`);
    expect(redactUrlPasswords('postgres://h/d?user=u&password=pw&x=1')).toBe(`postgres://h/d?user=u&password=${HIDDEN}&x=1`);
    expect(redactUrlPasswords('failed: connect postgres://u:pw@h/d and mysql://a:b@c/')).toBe(`failed: connect postgres://u:${HIDDEN}@h/d and mysql://a:${HIDDEN}@c/`);
  });

  test('URLs without a password, and redacted ones, are unchanged', () => {
    for (const url of ['postgres://inlet@127.0.0.1:5432/db', 'postgres://db:5432/app', 'sqlite:data/x.db', `postgres://u:${HIDDEN}@h/d`]) {
      expect(redactUrlPasswords(url)).toBe(url);
    }
  });

  test('the REST view hides secrets whole and URL passwords in any key', () => {
    expect(redactSecrets({ 'connection.url': 'postgres://u:pw@h/d', secrets: ['a', 'b'], topic: 't' })).toEqual({
      'connection.url': `postgres://u:${HIDDEN}@h/d`,
      secrets: HIDDEN,
      topic: 't',
    });
    expect(shownValue('topics', ['a', 'b'])).toBe('a,b');
    expect(shownValue('batch.size', 200)).toBe('200');
    expect(shownValue('auth.tokens', undefined)).toBeUndefined();
  });

  test('the validate report shows no secret and no URL password', () => {
    const report = validateConnectorConfig('database-sink', { topics: 't', 'connection.url': 'postgres://u:pw-in-url@h/d', 'sink.password': 'pw-key' }, {})!;
    const text = JSON.stringify(report);
    expect(text).not.toContain('pw-in-url');
    expect(text).not.toContain('pw-key');
    expect(report.find((r) => r.name === 'connection.url')!.value).toBe(`postgres://u:${HIDDEN}@h/d`);
  });
});

describe('the redaction placeholder is never a value', () => {
  test('values sent back as GET shows them keep the stored ones', () => {
    const stored = {
      'connector.class': 'webhook',
      topic: 't',
      'auth.type': 'hmac-sha256',
      'auth.secrets': ['${env:OPERATOR_SECRET}', 'literal'],
      'connection.url': 'postgres://u:pw@h/d',
      'required.fields': ['a', 'b'],
    };
    const shown = Object.fromEntries(Object.entries(stored).map(([key, value]) => [key, shownValue(key, value)]));
    const requested = { ...shown, topic: 't2' };
    const result = keepStoredValues(requested, stored);
    expect(result.issues).toEqual([]);
    expect(result.properties).toEqual({ ...stored, topic: 't2' });
    expect([...result.given]).toEqual(['topic']);
  });

  test('a placeholder with nothing stored behind it is an issue naming the key', () => {
    const result = keepStoredValues({ secrets: HIDDEN, 'auth.tokens': ['new', HIDDEN], 'connection.url': `postgres://u:${HIDDEN}@h/d` });
    expect(result.issues.map((i) => i.path)).toEqual(['secrets', 'auth.tokens', 'connection.url']);
    expect(result.issues[0]!.message).toContain('no stored value to keep');
    expect(result.properties).toEqual({});
  });

  test('a hidden password under another host or user is not the stored URL', () => {
    const stored = { 'connection.url': 'postgres://u:pw@h/d' };
    const result = keepStoredValues({ 'connection.url': `postgres://u:${HIDDEN}@attacker.example/d` }, stored);
    expect(result.issues).toEqual([{ path: 'connection.url', message: expect.stringContaining('not the stored value') }]);
  });

  test('new values are taken and marked as given by the request', () => {
    const result = keepStoredValues({ secrets: 'new-secret', 'connection.url': 'postgres://u:new@h/d' }, { secrets: 'old' });
    expect(result.properties).toEqual({ secrets: 'new-secret', 'connection.url': 'postgres://u:new@h/d' });
    expect([...result.given].sort()).toEqual(['connection.url', 'secrets']);
  });

  test('the schemas refuse the placeholder as a secret or a URL password', () => {
    const standard = v.safeParse(StandardWebhooksSourceConfigSchema, { 'connector.class': 'standard-webhooks', topic: 't', secrets: [HIDDEN] });
    expect(standard.success).toBe(false);
    const sink = v.safeParse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 't', 'connection.url': `postgres://u:${HIDDEN}@h/d` });
    expect(sink.issues?.[0]?.message).toBe(`has the redaction placeholder ${HIDDEN} as its password`);
    const webhook = checkConnectorConfig({ 'connector.class': 'webhook', topic: 't', 'auth.type': 'bearer', 'auth.tokens': `tok,${HIDDEN}` }, {});
    expect(webhook).toEqual({ ok: false, issues: [{ path: 'auth.tokens', message: `holds the redaction placeholder ${HIDDEN}, not a secret` }] });
  });
});

describe('INLET_CONFIG_ENV_ALLOWLIST', () => {
  const env = { ALLOWED_SECRET: 'whsec_aGVsbG8=', OTHER: 'x' };
  const webhook = (secrets: string) => ({ 'connector.class': 'standard-webhooks', topic: 't', secrets });

  test('matches whole names; unset allows nothing', () => {
    expect(envAllowlist('ALLOWED_.*')('ALLOWED_SECRET')).toBe(true);
    expect(envAllowlist('ALLOWED_.*')('NOT_ALLOWED_SECRET')).toBe(false);
    expect(envAllowlist('A|B')('AB')).toBe(false);
    expect(envAllowlist(undefined)('ALLOWED_SECRET')).toBe(false);
  });

  test('a value the request sets reads only allowlisted variables, set or not alike', () => {
    const access = restEnvAccess(new Set(['secrets']), envAllowlist('ALLOWED_.*'));
    expect(checkConnectorConfig(webhook('${env:ALLOWED_SECRET}'), env, access).ok).toBe(true);
    const set = checkConnectorConfig(webhook('${env:OTHER}'), env, access);
    const unset = checkConnectorConfig(webhook('${env:NOT_SET}'), env, access);
    expect(set).toEqual({ ok: false, issues: [{ path: 'secrets', message: 'environment variable OTHER is not in INLET_CONFIG_ENV_ALLOWLIST' }] });
    expect(unset).toEqual({ ok: false, issues: [{ path: 'secrets', message: 'environment variable NOT_SET is not in INLET_CONFIG_ENV_ALLOWLIST' }] });
  });

  test('a stored value the request keeps reads any variable, as before', () => {
    const access = restEnvAccess(new Set(['topic']), envAllowlist(undefined));
    expect(checkConnectorConfig(webhook('${env:OTHER}'), { OTHER: 'whsec_aGVsbG8=' }, access).ok).toBe(true);
  });

  test('validate does not tell a set variable from an unset one', () => {
    const errorsOf = (name: string) =>
      validateConnectorConfig('standard-webhooks', { topic: 't', secrets: `\${env:${name}}` }, env, envAllowlist(undefined))!.find((r) => r.name === 'secrets')!.errors;
    expect(errorsOf('OTHER')).toEqual(['environment variable OTHER is not in INLET_CONFIG_ENV_ALLOWLIST']);
    expect(errorsOf('NOT_SET')).toEqual(['environment variable NOT_SET is not in INLET_CONFIG_ENV_ALLOWLIST']);
  });
});

describe('SQLite files named through the REST API stay in INLET_DATA_DIR', () => {
  const root = tempDir('sqlite-path');
  const dataDir = join(root, 'data');
  mkdirSync(join(dataDir, 'nested'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  symlinkSync(join(root, 'outside'), join(dataDir, 'escape'));
  symlinkSync(join(root, 'outside', 'target.db'), join(dataDir, 'dangling.db'));

  test('paths inside the folder, absolute or relative, new or nested, are accepted', () => {
    for (const path of [join(dataDir, 'rows.db'), join(dataDir, 'nested', 'new', 'rows.db'), relative(process.cwd(), join(dataDir, 'rows.db'))]) {
      expect(sqliteOutsideDataDir(`sqlite:${path}`, dataDir)).toBeUndefined();
    }
    expect(sqliteOutsideDataDir('sqlite::memory:', dataDir)).toBeUndefined();
    expect(sqliteOutsideDataDir('postgres://u:p@h/d', dataDir)).toBeUndefined();
  });

  test('"..", absolute paths elsewhere, symlinks out and URI filenames are refused', () => {
    for (const path of [
      join(dataDir, '..', 'outside', 'rows.db'),
      `${dataDir}/nested/../../outside/rows.db`,
      '/etc/inlet.db',
      join(dataDir, 'escape', 'rows.db'),
      join(dataDir, 'dangling.db'),
      dataDir,
      `${dataDir}-sibling/rows.db`,
      `file:${join(dataDir, 'rows.db')}`,
    ]) {
      expect([path, sqliteOutsideDataDir(`sqlite:${path}`, dataDir)]).toEqual([path, expect.stringMatching(/INLET_DATA_DIR/)]);
    }
  });
});

test('an INLET_CONFIG_ENV_ALLOWLIST that is no regex stops the worker naming it; INLET_DATA_DIR defaults to data', () => {
  expect(() => readWorkerEnv({ INLET_CONFIG_ENV_ALLOWLIST: 'INLET_(' })).toThrow('INLET_CONFIG_ENV_ALLOWLIST: must be a valid regular expression');
  expect(readWorkerEnv({})).toMatchObject({ INLET_DATA_DIR: 'data', INLET_CONFIG_ENV_ALLOWLIST: undefined });
});
