import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { BunPlugin } from 'bun';
import { Miniflare } from 'miniflare';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

const ROOT = join(import.meta.dir, '..', '..');

/** What this test takes from wrangler.toml: what `wrangler deploy` would run, and with which settings. */
interface WranglerConfig {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars: Record<string, string>;
}

function readWranglerConfig(): WranglerConfig {
  const config = Bun.TOML.parse(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')) as Partial<WranglerConfig>;
  if (typeof config.main !== 'string' || typeof config.compatibility_date !== 'string' || typeof config.vars !== 'object') {
    throw new Error(`wrangler.toml lacks main, compatibility_date or [vars]: ${JSON.stringify(config)}`);
  }
  return config as WranglerConfig;
}

// Node built-ins stay imports, where Bun's browser target would inline its shims for some (`os`):
// workerd without nodejs_compat has no such module, so an edge entry that reached for one would
// fail to load here rather than pass on a shim that Wrangler's bundle would not have.
const builtInNames = builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replaceAll('/', '\\/'));
const keepNodeBuiltIns: BunPlugin = {
  name: 'keep-node-built-ins',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(node:)?(${builtInNames.join('|')})(\\/.*)?$`) }, (args) => ({ path: args.path, external: true }));
  },
};

/** The edge entry bundled for workerd: ES modules, with no Node built-ins. */
async function bundleForWorkerd(entry: string): Promise<string> {
  const built = await Bun.build({ entrypoints: [join(ROOT, entry)], target: 'browser', format: 'esm', plugins: [keepNodeBuiltIns] });
  if (!built.success) throw new AggregateError(built.logs, `bundling ${entry} for workerd failed`);
  return built.outputs[0]!.text();
}

const hmacHex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('the edge entry in workerd (Miniflare, with wrangler.toml): forwarding to a real worker', () => {
  const wrangler = readWranglerConfig();
  // The secret's name is the one wrangler.toml's INLET_EDGE_CONNECTORS refers to (`wrangler secret put` it).
  const secretName = /\$\{env:([A-Z0-9_]+)\}/.exec(wrangler.vars.INLET_EDGE_CONNECTORS ?? '')?.[1];
  // The edge's signed source, by its name in wrangler.toml.
  const signedName = (JSON.parse(wrangler.vars.INLET_EDGE_CONNECTORS ?? '{"connectors":[]}') as { connectors: { name: string }[] }).connectors[0]?.name;
  const secret = `edge-secret-${crypto.randomUUID()}`;
  const run = Date.now();
  const signedTopic = `edge-signed-${run}`;
  const plainTopic = `edge-plain-${run}`;
  const sqlitePath = join(tempDir('edge-workerd'), 'rows.db');
  // Far below the worker's 5 MiB: a body between the two would be accepted if the edge forwarded it.
  const EDGE_MAX_BODY_BYTES = 64 * 1024;
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let edge: Miniflare;

  beforeAll(async () => {
    if (!secretName || !signedName) throw new Error('wrangler.toml INLET_EDGE_CONNECTORS names no signed connector with a ${env:…} secret');
    kafka = await sharedKafka();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        {
          name: signedName,
          config: {
            'connector.class': 'webhook', topic: signedTopic, 'key.field': 'id', 'topic.creation.default.partitions': 1,
            'auth.type': 'hmac-sha256', 'auth.secrets': `\${env:${secretName}}`,
          },
        },
        { name: 'plain', config: { 'connector.class': 'webhook', topic: plainTopic, 'topic.creation.default.partitions': 1 } },
        { name: 'rows', config: { 'connector.class': 'database-sink', topics: signedTopic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` } },
      ],
      env: { [secretName]: secret, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    edge = new Miniflare({
      // One module, as Wrangler uploads it: workerd itself resolves what it imports.
      modules: [{ type: 'ESModule', path: join(ROOT, 'edge.mjs'), contents: await bundleForWorkerd(wrangler.main) }],
      compatibilityDate: wrangler.compatibility_date,
      compatibilityFlags: wrangler.compatibility_flags ?? [],
      // wrangler.toml's [vars] as they are, but for the worker's address and a smaller limit; the secret as `wrangler secret put` gives it.
      bindings: { ...wrangler.vars, INLET_WORKER_URL: worker.url, INLET_MAX_BODY_BYTES: String(EDGE_MAX_BODY_BYTES), [secretName]: secret },
    });
    await edge.ready;
  }, 120_000);

  afterAll(async () => {
    await edge?.dispose();
    await worker?.stop();
  }, 30_000);

  const push = (connector: string, body: string, headers: Record<string, string> = {}) =>
    edge.dispatchFetch(`https://edge.example/ingest/${connector}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const requestsAtWorker = (connector: string) => worker.metric('inlet_ingest_requests_total', { connector });

  test('runs under workerd itself', async () => {
    // The edge's own answer (no worker involved), from inside the isolate.
    const response = await edge.dispatchFetch('https://edge.example/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error_code: 404 });
  });

  test('a signed push is verified, forwarded, written to Kafka and lands in the table, its traceparent intact', async () => {
    const body = JSON.stringify([{ id: 'o-1', amount: 7 }]);
    const traceparent = `00-${crypto.randomUUID().replaceAll('-', '')}-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
    const response = await push(signedName!, body, { 'X-Signature': `sha256=${hmacHex(secret, body)}`, traceparent });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const rows = await waitFor('the row in the table', () => sqliteRows(sqlitePath, 'SELECT id, amount FROM orders').find((r) => r.id === 'o-1'), { timeoutMs: 60_000 });
    expect(rows).toEqual({ id: 'o-1', amount: 7 });
    // No tracing at the worker: the sender's context is carried on unchanged, so it must have arrived.
    const [record] = await readRecords(kafka, signedTopic, 1);
    expect(record?.headers.traceparent).toBe(traceparent);
  }, 90_000);

  test('a forged or unsigned push is refused at the edge (401, JSON body) and never reaches the worker', async () => {
    const before = await requestsAtWorker(signedName!);
    const body = JSON.stringify([{ id: 'forged', amount: 1_000_000 }]);
    const forged = await push(signedName!, body, { 'X-Signature': `sha256=${hmacHex('not-the-secret', body)}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error_code: 401, message: 'authentication failed: no signature matched', check: 'no signature matched' });
    const unsigned = await push(signedName!, body);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { check: string }).check).toBe('missing X-Signature header');
    // Had the edge forwarded them, the worker would have answered (and counted) both.
    expect(await requestsAtWorker(signedName!)).toBe(before);
    // It counts what does reach it: a genuine push after them.
    const genuine = JSON.stringify([{ id: 'o-2', amount: 2 }]);
    expect((await push(signedName!, genuine, { 'X-Signature': hmacHex(secret, genuine) })).status).toBe(200);
    expect(await requestsAtWorker(signedName!)).toBe(before + 1);
    await waitFor('the genuine row', () => sqliteRows(sqlitePath, "SELECT id FROM orders WHERE id = 'o-2'").length === 1, { timeoutMs: 60_000 });
    expect(sqliteRows(sqlitePath, "SELECT id FROM orders WHERE id = 'forged'")).toEqual([]);
  }, 90_000);

  test("a body over the edge's limit gets 413 at the edge; the worker (whose limit it is under) never sees it", async () => {
    const before = await requestsAtWorker('plain');
    const big = JSON.stringify(Array.from({ length: 2_000 }, (_, n) => ({ n, padding: 'x'.repeat(40) })));
    expect(big.length).toBeGreaterThan(EDGE_MAX_BODY_BYTES);
    const refused = await push('plain', big);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({ error_code: 413, message: `body exceeds the limit of ${EDGE_MAX_BODY_BYTES} bytes` });
    expect(await requestsAtWorker('plain')).toBe(before);
    // Under the limit, the same route reaches the worker.
    expect((await push('plain', JSON.stringify([{ n: 1 }]))).status).toBe(200);
    expect(await requestsAtWorker('plain')).toBe(before + 1);
  }, 60_000);

  test('a worker that is down: 503 with Retry-After at the edge', async () => {
    expect(await worker.stop()).toBe(0);
    const response = await push('plain', JSON.stringify([{ n: 2 }]));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({ error_code: 503, message: 'the Inlet worker is unreachable' });
  }, 60_000);
});
