import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, browserMissing, launchBrowser, screenshotPath } from '../support/browser.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows } from '../support/tables.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, WORKER_RUNTIME, type WorkerProcess } from '../support/worker.ts';

const TOKEN = 'console-test-token-of-some-length';
const SECRET = `whsec_${btoa('inlet console test key 32 bytes!')}`;
const PUSH_TOKEN = 'console-push-token';
const missing = browserMissing();

/**
 * The web console in a real headless Chromium against a live pipeline: real Kafka, a worker
 * behind an API token (CI runs this suite with Bun workers only, INLET_TEST_RUNTIME=bun; unset, the
 * harness starts Node workers from dist/main.js), a Standard Webhooks source, a generic webhook source with a bearer token, and a
 * PostgreSQL sink with a dead-letter topic.
 */
describe.skipIf(missing !== undefined)(`the web console drives a live worker${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const source = 'hooks';
  const sink = 'hooks-sink';
  /** A generic webhook source (bearer token) that no sink reads. */
  const plain = 'plain';
  const topic = `console-hooks-${Date.now()}`;
  const table = 'console_hooks';
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let browser: Browser;
  let page: Page;
  /** What the page logged as errors (a script error, a refused asset, a CSP violation). */
  const pageErrors: string[] = [];
  /** The trace id the console gave its first test event. */
  let sentTraceId = '';

  const rest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${worker.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const taskState = async (name: string): Promise<string | undefined> => (await rest('GET', `/connectors/${name}/status`)).tasks[0]?.state;
  const rows = async () => postgresRows(pgUrl, `SELECT id::text AS id, amount::text AS amount FROM ${table} ORDER BY id`).catch(() => []);
  const shot = (name: string) => page.screenshot({ path: screenshotPath(`${WORKER_RUNTIME}-${name}`), fullPage: true });

  /** Every form control on the page has a label a screen reader announces. */
  const unlabelled = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea')]
        .filter((control) => control.offsetParent !== null && control.labels?.length === 0 && !control.getAttribute('aria-label'))
        .map((control) => control.outerHTML),
    );

  /** Sends a test event from the Send page (filled and sent with the keyboard where it can be). */
  async function sendFromConsole(event: Record<string, unknown>, id: string): Promise<string> {
    await page.goto(`${worker.url}/ui/connectors/${source}/send`);
    await page.getByLabel('Body (JSON)').fill(JSON.stringify(event));
    await page.getByLabel(/^Event id/).fill(id);
    await page.getByLabel(/^Signing secret/).fill(SECRET);
    await page.getByLabel(/^Signing secret/).press('Enter');
    const answer = page.locator('#send-answer');
    await answer.waitFor({ timeout: 30_000 });
    return (await answer.textContent()) ?? '';
  }

  beforeAll(async () => {
    [kafka, pgUrl] = await Promise.all([sharedKafka(), sharedPostgres().then((pg) => pg.createDatabase(`console_${WORKER_RUNTIME}`))]);
    worker = await startWorker({ brokers: kafka.bootstrap, connectors: [], env: { INLET_API_TOKEN: TOKEN } });
    await rest('POST', '/connectors', {
      name: source,
      config: { 'connector.class': 'standard-webhooks', topic, secrets: SECRET, 'key.field': 'id', 'topic.creation.default.partitions': 1 },
    });
    await rest('POST', '/connectors', {
      name: plain,
      config: { 'connector.class': 'webhook', topic: `${topic}-plain`, 'key.field': 'sku', 'auth.type': 'bearer', 'auth.tokens': PUSH_TOKEN, 'topic.creation.default.partitions': 1 },
    });
    await rest('POST', '/connectors', {
      name: sink,
      config: {
        'connector.class': 'database-sink',
        topics: topic,
        'primary.key.fields': 'id',
        'connection.url': pgUrl,
        'table.name.format': table,
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': `${topic}.dlq`,
      },
    });
    await waitFor(
      `${sink} task 0 RUNNING`,
      async () => {
        const status = await rest('GET', `/connectors/${sink}/status`);
        // Thrown, so a timeout names the state it was stuck in (and its trace).
        if (status.tasks[0]?.state !== 'RUNNING') throw new Error(JSON.stringify(status));
        return true;
      },
      { timeoutMs: 90_000 },
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(`console: ${message.text()}`));
    page.on('dialog', (dialog) => void dialog.accept());
  }, 180_000);

  afterAll(async () => {
    await page?.close();
    await worker?.stop();
  }, 30_000);

  test('the console asks for the API token, signs in with the keyboard, and the overview lists connectors, tasks and workers', async () => {
    // No data without the token: the page is a shell, its data parts answer 401.
    expect((await fetch(`${worker.url}/ui/f/overview`)).status).toBe(401);
    await page.goto(`${worker.url}/ui`);
    const token = page.getByLabel('API token');
    await token.waitFor({ state: 'visible' });
    expect(await unlabelled()).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Keyboard only: the token field has the focus; Enter submits.
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await page.getByText('The worker refused that token.').waitFor();
    await token.focus();
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    const row = page.getByRole('row', { name: new RegExp(`^${sink} sink database-sink RUNNING`) });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`${sink}-0 RUNNING`);
    expect(await row.textContent()).toContain(`:${worker.port}`);
    await page.getByRole('row', { name: new RegExp(`^${source} source standard-webhooks RUNNING`) }).waitFor();
    await page.getByRole('heading', { name: 'Recent errors' }).waitFor();
    // The refusals of the sign-in were expected; from here on, nothing the page asks for fails.
    pageErrors.length = 0;
    // The token stays out of URLs and of what the page keeps beyond the tab.
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  }, 60_000);

  test('a test event sent from the console is signed for Standard Webhooks, lands as a row, and shows as applied', async () => {
    const answer = await sendFromConsole({ id: 1, amount: 100 }, 'msg_console_1');
    expect(answer).toContain('POST /ingest/hooks: 200');
    sentTraceId = (await page.locator('#send-trace').textContent()) ?? '';
    expect(sentTraceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor('the pushed row', async () => (await rows()).length === 1, { timeoutMs: 60_000 });
    expect(await rows()).toEqual([{ id: '1', amount: '100' }]);
    // The watch part finds the record and sees the sink's stored offset pass it.
    await page.getByText(`applied by ${sink}`).first().waitFor({ timeout: 60_000 });
    // Found and applied: the watch stops asking.
    await page.locator('#sent [data-settled]').waitFor({ timeout: 30_000 });
    await shot('send');
  }, 120_000);

  test('the event inspector finds a record by its source offset, with headers, signature, trace id and JSON', async () => {
    await page.goto(`${worker.url}/ui/connectors/${source}/records`);
    await page.getByRole('cell', { name: `${topic}[0]@0` }).waitFor({ timeout: 30_000 });
    const search = page.getByLabel('Source offset, Idempotency-Key or key');
    await search.fill('msg_console_1');
    await search.press('Enter');
    await page.getByText('1 record matching "msg_console_1"').waitFor({ timeout: 30_000 });
    const row = page.getByRole('row').filter({ hasText: 'msg_console_1' });
    // As the source stamped it (inlet.auth), not as the connector's config reads today.
    expect(await row.textContent()).toContain('verified at ingest (Standard Webhooks signature)');
    expect(await row.textContent()).toContain(`applied by ${sink}`);
    // The trace id of the test push (the console sends a traceparent of its own).
    expect(await row.textContent()).toContain(sentTraceId);
    await row.getByText('JSON').click();
    const json = JSON.parse((await row.locator('pre').textContent()) ?? '');
    expect(json).toMatchObject({ topic, partition: 0, offset: 0, source_partition: source, source_offset: 'msg_console_1', value: { id: 1, amount: 100 } });
    expect(json.headers['inlet.source.offset']).toBe('msg_console_1');
    expect(json.headers['inlet.auth']).toBe('standard-webhooks');
    // By its key (key.field id): the same record.
    await search.fill('1');
    await search.press('Enter');
    await page.getByText('1 record matching "1"').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row').filter({ hasText: 'msg_console_1' }).count()).toBe(1);
    expect(json.trace_id).toBe(sentTraceId);
    // A search that matches nothing says so.
    await search.fill('no_such_event');
    await search.press('Enter');
    await page.getByText('0 records matching "no_such_event"').waitFor({ timeout: 30_000 });
    // ...and names the window it searched.
    await page.getByText(`Nothing matches "no_such_event" in the search window: the newest 1000 records of ${topic}. Older records are not searched.`).waitFor();
    await search.fill('');
    await search.press('Enter');
    await page.getByRole('cell', { name: `${topic}[0]@0` }).waitFor({ timeout: 30_000 });
    expect(await unlabelled()).toEqual([]);
    await shot('inspector');
  }, 120_000);

  test('the inspector finds a batch by its Idempotency-Key and an item by key, and labels each record by the auth that let it in then', async () => {
    const push = async (idempotencyKey: string, items: unknown[], token?: string) =>
      fetch(`${worker.url}/ingest/${plain}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(items),
      });
    expect((await push('order-batch-7', [{ sku: 'a-1' }, { sku: 'b-2' }], PUSH_TOKEN)).status).toBe(200);
    expect((await push('order-batch-8', [{ sku: 'c-3' }], PUSH_TOKEN)).status).toBe(200);
    // The connector stops asking for a token: records from now on are unauthenticated, those before stay checked.
    const config = { ...(await rest('GET', `/connectors/${plain}/config`)), 'auth.type': 'none' };
    delete config['auth.tokens'];
    await rest('PUT', `/connectors/${plain}/config`, config);
    await waitFor('a push without a token accepted', async () => (await push('order-after', [{ sku: 'd-4' }])).status === 200, { timeoutMs: 60_000, intervalMs: 500 });

    await page.goto(`${worker.url}/ui/connectors/${plain}/records`);
    const search = page.getByLabel('Source offset, Idempotency-Key or key');
    await page.getByRole('cell', { name: `${topic}-plain[0]@3` }).waitFor({ timeout: 30_000 });
    await search.fill('order-batch-7');
    await search.press('Enter');
    await page.getByText('2 records matching "order-batch-7"').waitFor({ timeout: 30_000 });
    for (const [offset, sku] of [['order-batch-7#0', 'a-1'], ['order-batch-7#1', 'b-2']] as const) {
      const row = page.getByRole('row').filter({ hasText: offset });
      expect(await row.textContent()).toContain(sku);
      expect(await row.textContent()).toContain('bearer token checked at ingest');
    }
    await search.fill('b-2');
    await search.press('Enter');
    await page.getByText('1 record matching "b-2"').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row').filter({ hasText: 'order-batch-7#1' }).count()).toBe(1);
    await search.fill('order-after');
    await search.press('Enter');
    await page.getByText('1 record matching "order-after"').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row').filter({ hasText: 'order-after' }).textContent()).toContain('unauthenticated (the source checked nothing)');
  }, 120_000);

  test('the connector page shows validation errors inline, and pausing from it pauses the task', async () => {
    await page.goto(`${worker.url}/ui/connectors/${source}`);
    const topicField = page.getByLabel('topic', { exact: true });
    await topicField.fill('has spaces');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByRole('alert').filter({ hasText: '1 error' }).waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('topic', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const describedBy = await page.getByLabel('topic', { exact: true }).getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toMatch(/topic/i);
    expect((await rest('GET', `/connectors/${source}/config`)).topic).toBe(topic);

    await page.goto(`${worker.url}/ui/connectors/${sink}`);
    await page.getByText('State: RUNNING').waitFor({ timeout: 30_000 });
    expect(await unlabelled()).toEqual([]);
    // Keyboard: Tab until the Pause button has the focus, then Enter.
    const pause = page.getByRole('button', { name: 'Pause' });
    for (let tabs = 0; tabs < 20 && !(await pause.evaluate((b) => b === document.activeElement)); tabs++) await page.keyboard.press('Tab');
    expect(await pause.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await waitFor(`${sink} task 0 PAUSED (REST status)`, async () => (await taskState(sink)) === 'PAUSED', { timeoutMs: 60_000 });
    await page.locator('#connector-state', { hasText: 'PAUSED' }).waitFor({ timeout: 30_000 });
    await shot('connector');
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitFor(`${sink} task 0 RUNNING again`, async () => (await taskState(sink)) === 'RUNNING', { timeoutMs: 60_000 });
  }, 120_000);

  test('dead letters show their error context; a replay from the console lands the row once the cause is fixed', async () => {
    // amount became a bigint column with the first row: text there cannot be applied.
    expect(await sendFromConsole({ id: 2, amount: 'lots' }, 'msg_console_2')).toContain(': 200');
    await page.goto(`${worker.url}/ui/connectors/${sink}/dlq`);
    const letter = page.getByRole('row').filter({ hasText: `${topic}[0]@1` });
    await waitFor(
      'the dead letter in the console',
      async () => {
        if (await letter.count()) return true;
        await page.reload();
        await page.waitForLoadState('networkidle');
        return (await letter.count()) > 0;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(await letter.textContent()).toMatch(/invalid input syntax|bigint|numeric/i);
    // The overview lists it among the recent errors, linking here.
    await page.goto(`${worker.url}/ui`);
    await page.getByText(`dead letter from ${topic}[0]@1`).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: sink }).last().click();
    await page.waitForURL(`${worker.url}/ui/connectors/${sink}/dlq`);
    await letter.waitFor({ timeout: 30_000 });
    await letter.getByText('Error context and record').click();
    expect(await letter.textContent()).toContain('__connect.errors.connector.name');

    // Still broken: the replay is blocked by the letter, and says so.
    await page.getByRole('button', { name: 'Replay all' }).click();
    await page.locator('#action-result', { hasText: /Replay all: 200 blocked: replayed 0 dead letters; blocked at partition 0 offset 0, which still fails: .*bigint/ }).waitFor({ timeout: 60_000 });

    await postgresRows(pgUrl, `ALTER TABLE ${table} ALTER COLUMN amount TYPE text USING amount::text`);
    await letter.getByRole('button', { name: 'Replay up to here' }).click();
    await page.locator('#action-result', { hasText: 'Replay through offset 0: 200 done: replayed 1 dead letter' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#action-result').textContent()).not.toContain('more remain');
    expect(await rows()).toContainEqual({ id: '2', amount: 'lots' });
    // The list marks it replayed, and the overview no longer counts it among the recent errors.
    await letter.getByText('replayed', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await letter.getByRole('button', { name: 'Replay up to here' }).count()).toBe(0);
    await shot('dead-letters');
  }, 120_000);

  test('saving the config from the connector page stores it, and a secret sent back as [hidden] keeps its stored value', async () => {
    await page.goto(`${worker.url}/ui/connectors/${source}`);
    const secrets = page.getByLabel('secrets', { exact: true });
    await secrets.waitFor({ timeout: 30_000 });
    expect(await secrets.inputValue()).toBe('[hidden]');
    await page.getByLabel('Add a key').fill('timestamp.tolerance.seconds');
    await page.getByLabel('with the value').fill('600');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Saved; the connector restarts with it.' }).waitFor({ timeout: 30_000 });
    expect((await rest('GET', `/connectors/${source}/config`))['timestamp.tolerance.seconds']).toBe('600');
    // Signed with the secret set at creation: accepted, so the save kept it (not the text "[hidden]").
    await waitFor(`${source} RUNNING with the saved config`, async () => (await taskState(source)) === 'RUNNING', { timeoutMs: 60_000 });
    await waitFor('a push signed with the original secret accepted', async () => (await sendFromConsole({ id: 3, amount: 300 }, 'msg_console_3')).includes(': 200'), { timeoutMs: 60_000, intervalMs: 1000 });
    await waitFor('the row of that push', async () => (await rows()).some((row) => row.id === '3'), { timeoutMs: 60_000 });
  }, 120_000);

  test('each page renders without a script error or an accessibility violation (axe-core, WCAG 2.1 AA), and the overview charts ingest rate and sink lag', async () => {
    for (const path of ['/ui', `/ui/connectors/${sink}`, `/ui/connectors/${source}/records`, `/ui/connectors/${sink}/dlq`, `/ui/connectors/${source}/send`]) {
      await page.goto(`${worker.url}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.locator('[aria-busy="true"]').count()).toBe(0);
      expect(await page.getByText(/Could not load/).count()).toBe(0);
      expect({ path, violations: await accessibilityViolations(page) }).toEqual({ path, violations: [] });
    }
    await page.goto(`${worker.url}/ui`);
    // Two samples of /metrics (5 s apart) make a rate.
    await page.getByRole('img', { name: new RegExp(`^ingest rate of ${source}`) }).waitFor({ timeout: 30_000 });
    await page.getByRole('img', { name: new RegExp(`^sink lag of ${sink}`) }).waitFor({ timeout: 30_000 });
    await page.getByRole('row', { name: new RegExp(`^${sink} sink`) }).waitFor({ timeout: 30_000 });
    await page.getByText('No failed connectors or tasks, and no dead letters waiting.').waitFor({ timeout: 30_000 });
    await shot('overview');
    expect(pageErrors).toEqual([]);
    // The sink landed the values' fields, none of the inlet.* headers, as columns.
    const columns = await postgresRows(pgUrl, `SELECT column_name AS name FROM information_schema.columns WHERE table_name = '${table}'`);
    expect(columns.map((c) => String(c.name)).filter((name) => /inlet|auth/i.test(name))).toEqual([]);
  }, 120_000);

  test('a console opened in a new tab charts the minutes before it opened, from the samples the worker kept', async () => {
    // A new browser context: nothing kept from the other tab, only the token to sign in with.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((token) => sessionStorage.setItem('inlet.apiToken', token), TOKEN);
    const fresh = await context.newPage();
    try {
      const opened = Date.now();
      await fresh.goto(`${worker.url}/ui`);
      const rate = fresh.getByRole('img', { name: new RegExp(`^ingest rate of ${source}`) });
      await rate.waitFor({ timeout: 30_000 });
      // Drawn from the worker's history: points from before the page was opened, more than one.
      const drawn = { points: Number(await rate.getAttribute('data-points')), from: Number(await rate.getAttribute('data-from')) };
      expect(drawn.points).toBeGreaterThan(1);
      expect(drawn.from).toBeLessThan(opened);
      const lag = fresh.getByRole('img', { name: new RegExp(`^sink lag of ${sink}`) });
      await lag.waitFor({ timeout: 30_000 });
      expect(Number(await lag.getAttribute('data-from'))).toBeLessThan(opened);
    } finally {
      await context.close();
    }
  }, 60_000);

  test('restart, stop and delete from the connector page do what the REST API does', async () => {
    await page.goto(`${worker.url}/ui/connectors/${sink}`);
    await page.getByText('State: RUNNING').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.locator('#action-result', { hasText: `Restart ${sink}: 202 done` }).waitFor({ timeout: 30_000 });
    await waitFor(`${sink} task 0 RUNNING after the restart`, async () => (await taskState(sink)) === 'RUNNING', { timeoutMs: 60_000 });

    await page.getByRole('button', { name: 'Stop' }).click();
    await waitFor(`${sink} STOPPED (REST status)`, async () => (await rest('GET', `/connectors/${sink}/status`)).connector.state === 'STOPPED', { timeoutMs: 60_000 });
    await page.locator('#connector-state', { hasText: 'STOPPED' }).waitFor({ timeout: 30_000 });
    // Its offsets are the positions stored in the database: past the three records of the topic.
    await page.getByRole('cell', { name: `{"kafka_offset":3}` }).waitFor({ timeout: 30_000 });

    // Delete asks first (the test accepts the dialog), then goes back to the overview.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${worker.url}/ui`);
    expect((await fetch(`${worker.url}/connectors/${sink}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    await page.getByRole('row', { name: new RegExp(`^${source} source`) }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row', { name: new RegExp(`^${sink} sink`) }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
