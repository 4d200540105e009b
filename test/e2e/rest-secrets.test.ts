import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { endOffsets, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const randomBase64 = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
const SECRETS = {
  standard: `whsec_${randomBase64(32)}`,
  hmac: `hmac-${crypto.randomUUID()}`,
  bearer: `bearer-${crypto.randomUUID()}`,
  fileStandard: `whsec_${randomBase64(32)}`,
  allowed: `whsec_${randomBase64(32)}`,
  notAllowed: `whsec_${randomBase64(32)}`,
  dbPassword: `pw-${crypto.randomUUID()}`,
};
const HIDDEN = '[hidden]';

const sum = (offsets: Map<number, number>) => [...offsets.values()].reduce((a, b) => a + b, 0);

describe('secrets and configuration through the REST API', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let dataDir: string;
  let pgUrl: string;
  let pgUrlWithPassword: string;
  const run = Date.now();
  const group = `rest-secrets-${run}`;
  const topic = (name: string) => `${name}-${run}`;

  beforeAll(async () => {
    kafka = await sharedKafka();
    const pg = await sharedPostgres();
    pgUrl = await pg.createDatabase(`rest_secrets_${run}`);
    // The test server trusts local connections, so any password connects: what matters is where it shows.
    const withPassword = new URL(pgUrl);
    withPassword.password = SECRETS.dbPassword;
    pgUrlWithPassword = withPassword.toString();
    dataDir = join(tempDir('rest-secrets'), 'data');
    mkdirSync(dataDir);
    worker = await startWorker({
      brokers: kafka.bootstrap,
      group,
      env: {
        INLET_DATA_DIR: dataDir,
        INLET_CONFIG_ENV_ALLOWLIST: 'INLET_E2E_ALLOWED_.*',
        INLET_E2E_ALLOWED_SECRET: SECRETS.allowed,
        INLET_E2E_NOT_ALLOWED_SECRET: SECRETS.notAllowed,
        INLET_E2E_FILE_SECRET: SECRETS.fileStandard,
      },
      // The operator's file may read any variable, and is kept working by later PATCHes.
      connectors: [
        {
          name: 'file-messages',
          config: { 'connector.class': 'standard-webhooks', topic: topic('file-messages'), secrets: '${env:INLET_E2E_FILE_SECRET}', 'topic.creation.default.partitions': 1 },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${worker.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : null };
  }

  function standardPush(connector: string, secret: string, id = crypto.randomUUID()) {
    const body = JSON.stringify({ type: 'ping', data: { id } });
    const at = new Date();
    return worker.post(`/ingest/${connector}`, body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    });
  }

  function hmacPush(connector: string, secret: string) {
    const body = JSON.stringify({ id: crypto.randomUUID() });
    return worker.post(`/ingest/${connector}`, body, { 'X-Signature': createHmac('sha256', secret).update(body).digest('hex'), 'Idempotency-Key': crypto.randomUUID() });
  }

  function bearerPush(connector: string, token: string) {
    return worker.post(`/ingest/${connector}`, { id: crypto.randomUUID() }, { Authorization: `Bearer ${token}`, 'Idempotency-Key': crypto.randomUUID() });
  }

  /** The properties the config topic holds now (what every worker runs) for each of `names`. */
  async function storedProperties(...names: string[]): Promise<Record<string, unknown>[]> {
    const configTopic = `${group}-configs`;
    const records = await readRecords(kafka, configTopic, sum(await endOffsets(kafka, configTopic)));
    return names.map((name) => {
      const latest = records.filter((r) => r.key === `connector-${name}`).at(-1);
      if (!latest) throw new Error(`no config record for ${name} in ${configTopic}`);
      return (JSON.parse(latest.value) as { properties: Record<string, unknown> }).properties;
    });
  }

  test('PATCH of an unrelated key keeps a Standard Webhooks secret: the real one is accepted, a forged one refused', async () => {
    const config = { 'connector.class': 'standard-webhooks', topic: topic('messages'), secrets: SECRETS.standard, 'topic.creation.default.partitions': '1' };
    expect((await call('POST', '/connectors', { name: 'messages', config })).status).toBe(201);
    expect((await standardPush('messages', SECRETS.standard)).status).toBe(200);

    const patched = await call('PATCH', '/connectors/messages/config', { 'timestamp.tolerance.seconds': '600' });
    expect([patched.status, patched.text]).toEqual([200, expect.any(String)]);
    expect(patched.body.config).toMatchObject({ secrets: HIDDEN, 'timestamp.tolerance.seconds': '600' });
    expect(patched.text).not.toContain(SECRETS.standard);
    expect((await storedProperties('messages'))[0]).toMatchObject({ secrets: SECRETS.standard, 'timestamp.tolerance.seconds': '600' });

    await waitFor('the patched connector to accept its real secret', async () => (await standardPush('messages', SECRETS.standard)).status === 200, { timeoutMs: 15_000 });
    expect((await standardPush('messages', `whsec_${randomBase64(32)}`)).status).toBe(401);
  }, 60_000);

  test('PATCH keeps auth.secrets and auth.tokens: the real secret signs, "[hidden]" is refused', async () => {
    const hmac = { 'connector.class': 'webhook', topic: topic('hooks'), 'auth.type': 'hmac-sha256', 'auth.secrets': SECRETS.hmac, 'topic.creation.default.partitions': '1' };
    const bearer = { 'connector.class': 'webhook', topic: topic('tokens'), 'auth.type': 'bearer', 'auth.tokens': [SECRETS.bearer], 'topic.creation.default.partitions': '1' };
    expect((await call('POST', '/connectors', { name: 'hooks', config: hmac })).status).toBe(201);
    expect((await call('POST', '/connectors', { name: 'tokens', config: bearer })).status).toBe(201);

    expect((await call('PATCH', '/connectors/hooks/config', { 'required.fields': 'id' })).status).toBe(200);
    expect((await call('PATCH', '/connectors/tokens/config', { 'required.fields': 'id' })).status).toBe(200);
    expect(await storedProperties('hooks', 'tokens')).toEqual([
      expect.objectContaining({ 'auth.secrets': SECRETS.hmac, 'required.fields': 'id' }),
      expect.objectContaining({ 'auth.tokens': [SECRETS.bearer], 'required.fields': 'id' }),
    ]);

    expect((await hmacPush('hooks', SECRETS.hmac)).status).toBe(200);
    expect((await hmacPush('hooks', HIDDEN)).status).toBe(401);
    expect((await bearerPush('tokens', SECRETS.bearer)).status).toBe(200);
    expect((await bearerPush('tokens', HIDDEN)).status).toBe(401);
  }, 60_000);

  test('PUT of the config GET shows keeps the stored secrets; "[hidden]" with nothing stored is 400 naming the key', async () => {
    const shown = (await call('GET', '/connectors/hooks/config')).body as Record<string, string>;
    expect(shown['auth.secrets']).toBe(HIDDEN);
    expect((await call('PUT', '/connectors/hooks/config', { ...shown, 'key.field': 'id' })).status).toBe(200);
    expect((await storedProperties('hooks'))[0]).toMatchObject({ 'auth.secrets': SECRETS.hmac, 'key.field': 'id' });
    expect((await hmacPush('hooks', SECRETS.hmac)).status).toBe(200);
    expect((await hmacPush('hooks', HIDDEN)).status).toBe(401);

    const { name: _, ...copy } = shown;
    const fresh = await call('PUT', '/connectors/hooks-copy/config', { ...copy, topic: topic('hooks-copy') });
    expect(fresh.status).toBe(400);
    expect(fresh.body).toEqual({ error_code: 400, message: expect.stringContaining(`auth.secrets: holds the redaction placeholder ${HIDDEN}`) });
    expect((await call('GET', '/connectors/hooks-copy')).status).toBe(404);
  }, 60_000);

  test("PATCH of a connector from the operator's file keeps its ${env:…} secret working", async () => {
    expect((await call('PATCH', '/connectors/file-messages/config', { 'timestamp.tolerance.seconds': '120' })).status).toBe(200);
    expect((await storedProperties('file-messages'))[0]).toMatchObject({ secrets: '${env:INLET_E2E_FILE_SECRET}', 'timestamp.tolerance.seconds': '120' });
    await waitFor('the file connector to accept its secret after the PATCH', async () => (await standardPush('file-messages', SECRETS.fileStandard)).status === 200, {
      timeoutMs: 15_000,
    });
  }, 60_000);

  test('${env:…} from the REST API reads only INLET_CONFIG_ENV_ALLOWLIST variables', async () => {
    const config = (name: string) => ({ 'connector.class': 'standard-webhooks', topic: topic('env'), secrets: `\${env:${name}}`, 'topic.creation.default.partitions': '1' });
    const refused = await call('POST', '/connectors', { name: 'env-refused', config: config('INLET_E2E_NOT_ALLOWED_SECRET') });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error_code: 400, message: 'Connector configuration is invalid: secrets: environment variable INLET_E2E_NOT_ALLOWED_SECRET is not in INLET_CONFIG_ENV_ALLOWLIST' });
    expect((await call('GET', '/connectors/env-refused')).status).toBe(404);
    const patched = await call('PATCH', '/connectors/messages/config', { secrets: '${env:INLET_E2E_NOT_ALLOWED_SECRET}' });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toContain('secrets: environment variable INLET_E2E_NOT_ALLOWED_SECRET is not in INLET_CONFIG_ENV_ALLOWLIST');

    expect((await call('POST', '/connectors', { name: 'env-allowed', config: config('INLET_E2E_ALLOWED_SECRET') })).status).toBe(201);
    expect((await standardPush('env-allowed', SECRETS.allowed)).status).toBe(200);
    expect((await standardPush('env-allowed', SECRETS.notAllowed)).status).toBe(401);

    // Validate answers alike for a variable that is set and one that is not: no oracle of the environment.
    const errorsFor = async (name: string) => {
      const report = await call('PUT', '/connector-plugins/standard-webhooks/config/validate', { topic: 't', secrets: `\${env:${name}}` });
      expect(report.status).toBe(200);
      return (report.body.configs as { value: { name: string; errors: string[] } }[]).find((c) => c.value.name === 'secrets')!.value.errors;
    };
    expect(await errorsFor('INLET_E2E_NOT_ALLOWED_SECRET')).toEqual(['environment variable INLET_E2E_NOT_ALLOWED_SECRET is not in INLET_CONFIG_ENV_ALLOWLIST']);
    expect(await errorsFor('INLET_E2E_NEVER_SET')).toEqual(['environment variable INLET_E2E_NEVER_SET is not in INLET_CONFIG_ENV_ALLOWLIST']);
    expect(await errorsFor('INLET_E2E_ALLOWED_SECRET')).toEqual([]);
  }, 60_000);

  test('a sqlite: file outside INLET_DATA_DIR is refused with 400 and not created', async () => {
    const outside = join(dataDir, '..', `outside-${run}.db`);
    const sink = (url: string) => ({ 'connector.class': 'database-sink', topics: topic('hooks'), 'connection.url': url, 'table.name.format': 'hooks', 'primary.key.fields': 'id' });
    for (const url of [`sqlite:${outside}`, `sqlite:${dataDir}/../outside-${run}.db`, 'sqlite:/tmp/inlet-e2e-anywhere.db']) {
      const refused = await call('POST', '/connectors', { name: 'sqlite-outside', config: sink(url) });
      expect([url, refused.status]).toEqual([url, 400]);
      expect(refused.body.message).toContain('connection.url: the SQLite file must lie inside INLET_DATA_DIR');
    }
    const report = await call('PUT', '/connector-plugins/database-sink/config/validate', { topics: 't', 'primary.key.fields': 'id', 'connection.url': `sqlite:${outside}` });
    expect(report.body.error_count).toBe(1);
    expect(report.body.configs.find((c: { value: { name: string } }) => c.value.name === 'connection.url').value.errors).toEqual([
      `the SQLite file must lie inside INLET_DATA_DIR (${dataDir})`,
    ]);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync('/tmp/inlet-e2e-anywhere.db')).toBe(false);

    const inside = join(dataDir, 'hooks.db');
    expect((await call('POST', '/connectors', { name: 'sqlite-inside', config: sink(`sqlite:${inside}`) })).status).toBe(201);
    expect((await call('PATCH', '/connectors/sqlite-inside/config', { 'connection.url': `sqlite:${outside}` })).status).toBe(400);
    await waitFor('the sink inside INLET_DATA_DIR to open its file', () => existsSync(inside), { timeoutMs: 30_000 });
    expect((await call('DELETE', '/connectors/sqlite-inside')).status).toBe(204);
  }, 60_000);

  test('a connection.url password shows in no response and no log line, and PATCH keeps it', async () => {
    const sink = { 'connector.class': 'database-sink', topics: topic('hooks'), 'connection.url': pgUrlWithPassword, 'table.name.format': 'hooks', 'primary.key.fields': 'id' };
    const created = await call('POST', '/connectors', { name: 'pg-sink', config: sink });
    expect(created.status).toBe(201);
    const redacted = pgUrlWithPassword.replace(SECRETS.dbPassword, HIDDEN);
    expect(created.body.config['connection.url']).toBe(redacted);
    for (let i = 0; i < 3; i++) expect((await hmacPush('hooks', SECRETS.hmac)).status).toBe(200);
    await waitFor('the sink to apply the pushes', async () => Number((await postgresRows(pgUrl, 'SELECT count(*) AS n FROM hooks'))?.[0]?.n ?? 0) >= 3, {
      timeoutMs: 60_000,
    });

    // Sent back as GET shows it, the URL keeps its stored password; under another host it is refused.
    expect((await call('PATCH', '/connectors/pg-sink/config', { 'batch.size': '100' })).status).toBe(200);
    expect((await call('PUT', '/connectors/pg-sink/config', (await call('GET', '/connectors/pg-sink/config')).body)).status).toBe(200);
    expect((await storedProperties('pg-sink'))[0]).toMatchObject({ 'connection.url': pgUrlWithPassword, 'batch.size': '100' });
    const moved = await call('PATCH', '/connectors/pg-sink/config', { 'connection.url': redacted.replace('127.0.0.1', 'attacker.invalid') });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toContain(`connection.url: holds the redaction placeholder ${HIDDEN}`);

    const responses = [
      await call('GET', '/connectors/pg-sink'),
      await call('GET', '/connectors/pg-sink/config'),
      await call('GET', '/connectors/pg-sink/tasks'),
      await call('GET', '/connectors?expand=info&expand=status'),
      await call('GET', '/connectors/pg-sink/status'),
      await call('PUT', '/connector-plugins/database-sink/config/validate', sink),
      await call('PUT', '/connector-plugins/database-sink/config/validate', { ...sink, 'batch.size': 'many' }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(SECRETS.dbPassword);
    }
    expect(responses[1]!.body['connection.url']).toBe(redacted);
    expect(responses[2]!.body[0].config['connection.url']).toBe(redacted);
    expect(responses[3]!.body['pg-sink'].info.config['connection.url']).toBe(redacted);

    const output = worker.output();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  }, 120_000);
});
