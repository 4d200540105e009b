import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { consoleRoutes } from '../../src/http/console/index.ts';
import { CONSOLE_SCRIPT } from '../../src/http/console/client.ts';
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

async function consoleApp() {
  const record: TopicRecordView = { topic: 't', partition: 0, offset: 0, timestamp: 0, encoding: 'utf8', key: EVIL, value: JSON.stringify({ html: '</pre><script>alert(3)</script>' }), headers: {}, source_offset: EVIL };
  const app = new Hono();
  app.route('/ui', consoleRoutes({ herder: herderWith(record), ingest: () => new Response(null, { status: 500 }) }));
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
});
