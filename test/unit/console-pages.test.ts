import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { consoleRoutes } from '../../src/http/console/index.ts';
import { CONSOLE_SCRIPT } from '../../src/http/console/client.ts';
import { matches } from '../../src/http/console/inspector.ts';
import { signatureNote } from '../../src/http/console/records-view.ts';
import { errorHandler, onNotFound } from '../../src/http/errors.ts';
import type { ConnectorInfo, Herder, TopicRecordView } from '../../src/http/index.ts';
import { createLogger } from '../../src/runtime/logger.ts';

const EVIL = '<img src=x onerror=alert(1)>';

/** One source connector whose name, config and record carry markup; what the console renders from. */
function herderWith(record: TopicRecordView): Herder {
  const info: ConnectorInfo = { name: EVIL, type: 'source', tasks: [], config: { 'connector.class': 'webhook', topic: 't', note: `"><script>alert(2)</script>` } };
  const unused = () => {
    throw new Error('not used by these pages');
  };
  return {
    names: () => [EVIL],
    info: (name) => (name === EVIL ? info : undefined),
    status: (name) => (name === EVIL ? { name, type: 'source', connector: { state: 'RUNNING', worker_id: 'w:1' }, tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w:1' }] } : undefined),
    topics: () => ['t'],
    latestRecords: async () => [record],
    offsets: async () => [],
    deadLetters: async () => [],
    deadLetterReplayPositions: async () => new Map(),
    validate: () => [],
    create: unused,
    putConfig: unused,
    patchConfig: unused,
    remove: unused,
    setTargetState: unused,
    restart: unused,
    alterOffsets: unused,
    resetOffsets: unused,
    plugins: unused,
    replayDeadLetters: unused,
    followRecords: unused,
  };
}

const EVIL_RECORD: TopicRecordView = { topic: 't', partition: 0, offset: 0, timestamp: 0, encoding: 'utf8', key: EVIL, value: JSON.stringify({ html: '</pre><script>alert(3)</script>' }), headers: {}, source_offset: EVIL };

async function consoleApp(herder: Herder = herderWith(EVIL_RECORD)) {
  const app = new Hono();
  app.route('/ui', consoleRoutes({ herder, ingest: () => new Response(null, { status: 500 }) }));
  app.notFound(onNotFound);
  app.onError(errorHandler(await createLogger({ level: 'silent', pretty: false })));
  return app;
}

describe('the console pages', () => {
  test('escape every value they render: connector names, config values, record keys and values', async () => {
    const app = await consoleApp();
    const name = encodeURIComponent(EVIL);
    for (const path of [`/ui/connectors/${name}`, `/ui/f/overview`, `/ui/f/connectors/${name}/config`, `/ui/f/connectors/${name}/records`, `/ui/f/connectors/${name}/status`]) {
      const response = await app.request(path);
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(text).not.toContain('<img src=x');
      expect(text).not.toContain('<script>alert');
      // Each shows the markup as text: the name or key, or the config value.
      expect(text).toMatch(/&lt;img src=x onerror=alert\(1\)&gt;|&lt;script&gt;alert\(2\)/);
    }
  });

  test('answer with a Content-Security-Policy that runs only their own script and style', async () => {
    const response = await (await consoleApp()).request('/ui');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('<script src="/ui/assets/console.js" defer></script>');
    expect(page).not.toMatch(/<script>|https?:\/\//);
  });

  test('refuse a fragment of an unknown connector (404) and a bad limit (400, naming it)', async () => {
    const app = await consoleApp();
    const missing = await app.request('/ui/f/connectors/nobody/records');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error_code: 404, message: 'Connector nobody not found' });
    const limit = await app.request(`/ui/f/connectors/${encodeURIComponent(EVIL)}/records?limit=1000`);
    expect(limit.status).toBe(400);
    expect(((await limit.json()) as { message: string }).message).toContain('limit must be a whole number from 1 to 100');
  });

  test('serve a script that stands alone (its source text, parsed without what it was written beside)', () => {
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
    expect(CONSOLE_SCRIPT).toStartWith('(function consoleMain()');
  });

  test("serve a connector's page shells without its data: a connector that exists and one that does not get the same shell", async () => {
    // The shells answer without the token (only /ui/f/* is behind it): they must not say what exists.
    const base = herderWith(EVIL_RECORD);
    const known: ConnectorInfo = { name: 'orders', type: 'sink', tasks: [], config: { 'connector.class': 'database-sink', topics: 'secret-topic' } };
    const app = await consoleApp({
      ...base,
      names: () => ['orders'],
      info: (name) => (name === 'orders' ? known : undefined),
      status: (name) => (name === 'orders' ? { name, type: 'sink', connector: { state: 'RUNNING', worker_id: 'w:1' }, tasks: [] } : undefined),
      topics: (name) => (name === 'orders' ? ['secret-topic'] : []),
    });
    for (const page of ['', '/records', '/dlq', '/send']) {
      const [existing, missing] = await Promise.all(['orders', 'absent'].map(async (name) => {
        const response = await app.request(`/ui/connectors/${name}${page}`);
        return { status: response.status, text: (await response.text()).replaceAll(name, 'NAME') };
      }));
      expect({ page, ...existing }).toEqual({ page, ...missing! });
      expect(existing!.text).not.toMatch(/database-sink|secret-topic|sink connector|RUNNING/);
    }
    // The class and type come with the status, behind the token.
    expect(await (await app.request('/ui/f/connectors/orders/status')).text()).toContain('<code>database-sink</code> · sink connector');
  });

  test("list a FAILED task among the overview's recent errors, with its worker and trace", async () => {
    const base = herderWith(EVIL_RECORD);
    const app = await consoleApp({
      ...base,
      names: () => ['orders'],
      info: (name) => (name === 'orders' ? { name, type: 'sink', tasks: [], config: { 'connector.class': 'database-sink' } } : undefined),
      status: (name) =>
        name === 'orders'
          ? { name, type: 'sink', connector: { state: 'RUNNING', worker_id: 'w:1' }, tasks: [{ id: 0, state: 'FAILED', worker_id: 'w:2', trace: 'relation "orders" does not exist' }] }
          : undefined,
    });
    const text = await (await app.request('/ui/f/overview')).text();
    const errors = text.slice(text.indexOf('Recent errors'));
    expect(errors).toContain('<a href="/ui/connectors/orders">orders-0</a>: <span class="bad">task FAILED on w:2</span>');
    expect(errors).toContain('relation &quot;orders&quot; does not exist');
    expect(errors).not.toContain('No failed connectors or tasks');
  });

  test("label a record's signature check by its inlet.auth header, and a record from before the header as unknown", async () => {
    const record = (headers: Record<string, string>): TopicRecordView => ({ topic: 't', partition: 0, offset: 0, timestamp: 0, encoding: 'utf8', key: null, value: '{}', headers });
    const note = async (headers: Record<string, string>) => String(await signatureNote(record(headers)));
    expect(await note({ 'inlet.connector': 'c', 'inlet.auth': 'hmac' })).toContain('verified at ingest (HMAC-SHA256 of the body)');
    expect(await note({ 'inlet.connector': 'c', 'inlet.auth': 'none' })).toContain('unauthenticated');
    expect(await note({ 'inlet.connector': 'c' })).toContain('unknown (older record)');
    expect(await note({})).toContain('not written by an Inlet source');
  });

  test('search records by source offset, by the Idempotency-Key of a batch (each item) and by key, nothing else', () => {
    const record = (key: string | null, sourceOffset: string): TopicRecordView => ({ topic: 't', partition: 0, offset: 0, timestamp: 0, encoding: 'utf8', key, value: '{}', headers: {}, source_offset: sourceOffset });
    const batch = [record('a-1', 'order-7#0'), record('b-2', 'order-7#1'), record('c-3', 'order-70'), record('order-7x', 'evt_1')];
    const found = (q: string) => batch.filter((r) => matches(r, q)).map((r) => r.source_offset);
    expect(found('order-7')).toEqual(['order-7#0', 'order-7#1']);
    expect(found('b-2')).toEqual(['order-7#1']);
    expect(found('evt_1')).toEqual(['evt_1']);
    expect(found('order')).toEqual([]);
  });
});
