import { sign as signGithub } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { sharedKafka } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Integers past 2^53 (bigint ids, snowflakes, Debezium int64) and decimals with more digits than a
// double holds, pushed through every source kind into PostgreSQL and SQLite and read back as text.
// Bodies are written by hand: JSON.stringify cannot write these numbers, and that is the point.

const IDS = ['9007199254740993', '-9223372036854775808', '9223372036854775807'];
const BIGS = ['9223372036854775807', '9007199254740993', '-9223372036854775808'];
const PRICES = ['1234567890.12345678901234567890', '-0.000000000000000000012345678901234567891', '98765432109876543210.5'];
const DOC = '{"big":9223372036854775807,"dec":1234567890.12345678901234567890}';

/** What each table must hold, as text, ordered by id. */
const EXPECTED = [1, 0, 2].map((i) => ({ id: IDS[i], big: BIGS[i], price: PRICES[i], ratio: '0.1', doc: DOC }));

const randomBase64 = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
const SECRETS = {
  stripe: `whsec_${randomBase64(24).replace(/[+/=]/g, 'x')}`,
  github: `gh-${crypto.randomUUID()}`,
  standard: `whsec_${randomBase64(32)}`,
};
const stripe = new Stripe('sk_test_unused');

const CONNECT_SCHEMA = {
  type: 'struct',
  name: 'fidelity.Value',
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'big', type: 'int64', optional: true },
    // decimal.format=NUMERIC: the decimal is a JSON number, not base64 bytes.
    { field: 'price', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '42' }, optional: true },
    { field: 'ratio', type: 'float64', optional: true },
    { field: 'doc', type: 'string', name: 'io.debezium.data.Json', optional: true },
  ],
};

describe('numbers no double holds arrive exact, through every source, in PostgreSQL and SQLite', () => {
  let worker: WorkerProcess;
  let pgUrl: string;
  const sqlitePaths = { value: '', key: '' };
  const run = Date.now();
  const topics = {
    webhook: `fid_webhook_${run}`,
    connect: `fid_connect_${run}`,
    github: `fid_github_${run}`,
    standard: `fid_standard_${run}`,
    stripe: `fid_stripe_${run}`,
    debezium: `fid_debezium_${run}`,
  };
  // Rows keyed by their `id` field, and rows keyed by the Kafka key the source derived.
  const byValue = [topics.webhook, topics.connect, topics.github];
  const byKey = [topics.standard, topics.stripe, topics.debezium];

  const sink = (name: string, url: string, topicList: string[], mode: 'record_value' | 'record_key') => ({
    name,
    config: { 'connector.class': 'database-sink', topics: topicList.join(','), 'connection.url': url, 'primary.key.mode': mode, 'primary.key.fields': 'id' },
  });

  beforeAll(async () => {
    const [kafka, pg] = await Promise.all([sharedKafka(), sharedPostgres()]);
    pgUrl = await pg.createDatabase(`fidelity_${run}`);
    const dir = tempDir('fidelity');
    sqlitePaths.value = join(dir, 'value.db');
    sqlitePaths.key = join(dir, 'key.db');
    const common = { 'topic.creation.default.partitions': 1 };
    worker = await startWorker({
      brokers: kafka.bootstrap,
      env: { FID_STRIPE_SECRET: SECRETS.stripe, FID_GITHUB_SECRET: SECRETS.github, FID_SW_SECRET: SECRETS.standard },
      connectors: [
        // offset.field: two ids that round to one double would be taken for a retry and dropped.
        { name: 'hooks', config: { ...common, 'connector.class': 'webhook', topic: topics.webhook, 'key.field': 'id', 'offset.field': 'id' } },
        { name: 'connect', config: { ...common, 'connector.class': 'webhook', topic: topics.connect } },
        { name: 'repos', config: { ...common, 'connector.class': 'github', topic: topics.github, secrets: '${env:FID_GITHUB_SECRET}' } },
        {
          name: 'messages',
          config: { ...common, 'connector.class': 'standard-webhooks', topic: topics.standard, secrets: '${env:FID_SW_SECRET}', 'key.field': 'id' },
        },
        { name: 'payments', config: { ...common, 'connector.class': 'stripe', topic: topics.stripe, secrets: '${env:FID_STRIPE_SECRET}' } },
        { name: 'cdc', config: { ...common, 'connector.class': 'debezium', topic: topics.debezium, 'key.fields': 'id' } },
      ],
    });
    // The sinks start once the sources have created their topics: a sink subscribing to a topic
    // that does not exist yet picks it up only at librdkafka's next metadata refresh (minutes).
    for (const spec of [
      sink('value-pg', pgUrl, byValue, 'record_value'),
      sink('value-sqlite', `sqlite:${sqlitePaths.value}`, byValue, 'record_value'),
      sink('key-pg', pgUrl, byKey, 'record_key'),
      sink('key-sqlite', `sqlite:${sqlitePaths.key}`, byKey, 'record_key'),
    ]) {
      const response = await worker.post('/connectors', spec);
      if (response.status !== 201) throw new Error(`creating ${spec.name}: ${response.status} ${await response.text()}`);
    }
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  async function accepted(response: Response, what: string) {
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${what}: ${response.status} ${text}`);
    expect(JSON.parse(text)).toEqual({ accepted: expect.any(Number), duplicates: 0 });
  }

  /** Row i's value columns, and the whole row with its `id`, as JSON text. */
  const valuesOf = (i: number) => `"big": ${BIGS[i]}, "price": ${PRICES[i]}, "ratio": 0.1, "doc": ${DOC}`;
  const rowsOf = (i: number) => `"id": ${IDS[i]}, ${valuesOf(i)}`;

  const selectPg = (table: string) =>
    `SELECT id::text AS id, big::text AS big, price::text AS price, ratio::text AS ratio, doc::text AS doc FROM "${table}" ORDER BY "${table}".id`;
  const selectSqlite = (table: string) =>
    `SELECT CAST(id AS TEXT) AS id, CAST(big AS TEXT) AS big, CAST(price AS TEXT) AS price, CAST(ratio AS TEXT) AS ratio, doc FROM "${table}" ORDER BY "${table}".id`;
  // jsonb writes `{"big": 1, …}` with spaces; the digits are what must match.
  const normalise = (rows: Row[]) => rows.map((row) => ({ ...row, doc: String(row.doc).replaceAll(' ', '') }));

  /** Both databases' copies of `table`, read as text, hold exactly the pushed numbers. */
  async function expectExact(table: string, sqlitePath: string) {
    const read = async () => [
      { where: `PostgreSQL ${table}`, rows: await postgresRows(pgUrl, selectPg(table)) },
      { where: `SQLite ${table}`, rows: sqliteRows(sqlitePath, selectSqlite(table)) },
    ];
    try {
      await waitFor(`${table} to hold three rows in both databases`, async () => (await read()).every(({ rows }) => rows?.length === 3), { timeoutMs: 60_000 });
    } catch (error) {
      const counts = (await read()).map(({ where, rows }) => `${where}: ${rows?.length ?? 'no table'}`).join('\n');
      const status = await (await fetch(`${worker.url}/connectors?expand=status`)).text();
      throw new Error(`${(error as Error).message}\n${counts}\n${status}\n--- worker ---\n${worker.output().slice(-4000)}`);
    }
    for (const { where, rows } of await read()) expect({ where, rows: normalise(rows!) }).toEqual({ where, rows: EXPECTED });
  }

  test('webhook: a batch keyed and offset by ids past 2^53 keeps every row and digit', async () => {
    // offset.field is the id: two ids that round to one double would be taken for a retry and dropped.
    await accepted(await worker.post('/ingest/hooks', `[${IDS.map((_, i) => `{${rowsOf(i)}}`).join(', ')}]`), 'webhook');
    await expectExact(topics.webhook, sqlitePaths.value);
    // 9007199254740992 is a new offset, not a retry of 9007199254740993.
    const neighbour = await worker.post('/ingest/hooks', `{"id": 9007199254740992, ${valuesOf(0)}}`);
    expect(await neighbour.json()).toEqual({ accepted: 1, duplicates: 0 });
  }, 120_000);

  test('Connect {schema, payload}: int64 fields, a NUMERIC-format Decimal and io.debezium.data.Json keep every digit', async () => {
    for (const i of IDS.keys()) {
      const payload = `{"id": ${IDS[i]}, "big": ${BIGS[i]}, "price": ${PRICES[i]}, "ratio": 0.1, "doc": ${JSON.stringify(DOC)}}`;
      const body = `{"schema": ${JSON.stringify(CONNECT_SCHEMA)}, "payload": ${payload}}`;
      await accepted(await worker.post('/ingest/connect', body, { 'idempotency-key': `connect-${i}` }), 'connect');
    }
    await expectExact(topics.connect, sqlitePaths.value);
  }, 120_000);

  test('GitHub: a signed delivery keeps every digit', async () => {
    for (const i of IDS.keys()) {
      const body = `{${rowsOf(i)}, "repository": {"full_name": "octo/hello"}}`;
      const headers = { 'X-Hub-Signature-256': await signGithub(SECRETS.github, body), 'X-GitHub-Delivery': `delivery-${run}-${i}`, 'X-GitHub-Event': 'push' };
      await accepted(await worker.post('/ingest/repos', body, headers), 'github');
    }
    await expectExact(topics.github, sqlitePaths.value);
  }, 120_000);

  test('Standard Webhooks: a message keyed (key.field) by an id past 2^53 keeps every digit', async () => {
    for (const i of IDS.keys()) {
      const body = `{"type": "invoice.paid", ${rowsOf(i)}}`;
      const id = `msg_${run}_${i}`;
      const at = new Date();
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRETS.standard).sign(id, at, body) };
      await accepted(await worker.post('/ingest/messages', body, headers), 'standard-webhooks');
    }
    await expectExact(topics.standard, sqlitePaths.key);
  }, 120_000);

  test('Stripe: an event keyed by the id of its object, past 2^53, keeps every digit', async () => {
    for (const i of IDS.keys()) {
      // The row's `id` column is the Kafka key: the id of the object the event is about.
      const body = `{"id": "evt_${run}_${i}", "object": "event", "type": "charge.succeeded", "data": {"object": {"id": ${IDS[i]}}}, ${valuesOf(i)}}`;
      const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret: SECRETS.stripe, timestamp: Math.floor(Date.now() / 1000) });
      await accepted(await worker.post('/ingest/payments', body, { 'Stripe-Signature': header }), 'stripe');
    }
    await expectExact(topics.stripe, sqlitePaths.key);
  }, 120_000);

  test('Debezium: change events keyed by int64 ids, at LSNs past 2^53, keep every digit', async () => {
    for (const i of IDS.keys()) {
      const body = `{"before": null, "after": {${rowsOf(i)}}, "op": "c", "ts_ms": ${Date.now()},
        "source": {"db": "shop", "schema": "public", "table": "items", "lsn": ${9007199254740993n + BigInt(i)}}}`;
      await accepted(await worker.post('/ingest/cdc', body), 'debezium');
    }
    await expectExact(topics.debezium, sqlitePaths.key);
  }, 120_000);
});
