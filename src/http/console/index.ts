import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { BadRequestError, NotFoundError } from '../../errors/index.ts';
import type { ConnectorInfo, Herder } from '../herder.ts';
import type { RateSample } from './charts.ts';
import { CONSOLE_SCRIPT } from './client.ts';
import { configForm, connectorPage, connectorStatusFragment, submitConfig } from './connector.ts';
import { deadLettersFragment, deadLettersPage } from './dead-letters.ts';
import { inspectorFragment, inspectorPage, LATEST_DEFAULT } from './inspector.ts';
import { CONSOLE_CSS, shell, type Html, type Page } from './layout.ts';
import { overviewFragment, overviewPage } from './overview.ts';
import { sendForm, sendPage, sendTestEvent, type IngestFetch } from './send.ts';

export type { IngestFetch } from './send.ts';
export type { RateSample } from './charts.ts';

export interface ConsoleDeps {
  herder: Herder;
  /** The worker's own ingest route, for test events. */
  ingest: IngestFetch;
  /** The worker's last minutes of ingest and sink lag samples, oldest first, for the charts. */
  rates?: () => RateSample[];
}

/** Paths behind the API token: everything that carries data. The pages and assets carry none. */
export const CONSOLE_DATA_PATHS = ['/ui/f/*'];

const FormFields = v.record(v.string(), v.string(), 'the form is sent as a JSON object of strings');
const Limit = v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'limit must be a whole number from 1 to 100'), v.transform(Number), v.minValue(1, 'limit must be a whole number from 1 to 100'), v.maxValue(100, 'limit must be a whole number from 1 to 100')));
const Intent = v.optional(v.picklist(['validate', 'save'], 'intent must be validate or save'), 'validate');

function parse<T>(schema: v.GenericSchema<unknown, T>, value: unknown): T {
  const parsed = v.safeParse(schema, value);
  if (!parsed.success) throw new BadRequestError(parsed.issues[0].message);
  return parsed.output;
}

/**
 * The web console at /ui: pages rendered on the server (hono/html escapes every value) whose
 * data parts (/ui/f/…, behind the API token) its script loads with the token as a bearer header.
 * Actions call the REST API itself.
 */
export function consoleRoutes({ herder, ingest, rates }: ConsoleDeps) {
  const app = new Hono();

  // The pages run only the console's own script and style: nothing inline, nothing from elsewhere.
  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });

  const found = (c: Context): ConnectorInfo => {
    const name = c.req.param('name')!;
    const info = herder.info(name);
    if (!info) throw new NotFoundError(`Connector ${name} not found`);
    return info;
  };
  const page = (c: Context, title: string, which: Page, body: Html, connector?: string) => {
    c.header('cache-control', 'no-store');
    return c.html(shell(title, which, connector, body));
  };
  const fragment = async (c: Context, body: Html | Promise<Html>) => {
    c.header('cache-control', 'no-store');
    return c.html(await body);
  };
  const fields = async (c: Context) => parse(FormFields, await c.req.json().catch(() => undefined));

  app.get('/assets/console.js', (c) => c.body(CONSOLE_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  app.get('/assets/console.css', (c) => c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }));

  app.get('/', (c) => page(c, 'Overview', 'overview', overviewPage));
  app.get('/connectors/:name', (c) => page(c, c.req.param('name'), 'connector', connectorPage(c.req.param('name')), c.req.param('name')));
  app.get('/connectors/:name/records', (c) => page(c, `${c.req.param('name')}: event inspector`, 'records', inspectorPage(c.req.param('name')), c.req.param('name')));
  app.get('/connectors/:name/dlq', (c) => page(c, `${c.req.param('name')}: dead letters`, 'dlq', deadLettersPage(c.req.param('name')), c.req.param('name')));
  app.get('/connectors/:name/send', (c) => page(c, `${c.req.param('name')}: send a test event`, 'send', sendPage(c.req.param('name')), c.req.param('name')));

  // The data, behind the token (see CONSOLE_DATA_PATHS).
  app.get('/f/whoami', (c) => c.json({ ok: true }));
  app.get('/f/overview', (c) => fragment(c, overviewFragment(herder)));
  app.get('/f/rates', (c) => c.json({ samples: rates?.() ?? [] }, 200, { 'cache-control': 'no-store' }));
  app.get('/f/connectors/:name/status', (c) => fragment(c, connectorStatusFragment(herder, found(c).name)));
  app.get('/f/connectors/:name/config', (c) => fragment(c, configForm(found(c).name, found(c).config, new Map())));
  app.post('/f/connectors/:name/config', async (c) => fragment(c, submitConfig(herder, found(c), await fields(c), parse(Intent, c.req.query('intent')))));
  app.get('/f/connectors/:name/records', (c) =>
    fragment(c, inspectorFragment(herder, found(c).name, { q: c.req.query('q'), limit: parse(Limit, c.req.query('limit')) ?? LATEST_DEFAULT })),
  );
  app.get('/f/connectors/:name/dlq', (c) => fragment(c, deadLettersFragment(herder, found(c).name)));
  app.get('/f/connectors/:name/send', (c) => fragment(c, sendForm(found(c))));
  app.post('/f/connectors/:name/send', async (c) => fragment(c, sendTestEvent(found(c), await fields(c), ingest)));

  return app;
}
