import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type Page = 'overview' | 'connector' | 'records' | 'dlq' | 'send';

const enc = encodeURIComponent;

/** The console's pages under /ui; a connector's pages sit under its name. */
export const pagePath = (page: Page, connector?: string): string => {
  if (page === 'overview' || connector === undefined) return '/ui';
  const base = `/ui/connectors/${enc(connector)}`;
  return page === 'connector' ? base : `${base}/${page}`;
};

const CONNECTOR_TABS: [Page, string][] = [
  ['connector', 'Connector'],
  ['records', 'Event inspector'],
  ['dlq', 'Dead letters'],
  ['send', 'Send a test event'],
];

/**
 * A page: a shell that holds no data (so it needs no token to load) with the login form, the
 * navigation and `body`, whose `data-fragment` parts the script loads with the token.
 */
export function shell(title: string, page: Page, connector: string | undefined, body: Html): Html {
  const tabs = connector === undefined
    ? ''
    : html`<nav aria-label="Connector pages" class="tabs"><ul>${CONNECTOR_TABS.map(
        ([tab, label]) => html`<li><a href="${pagePath(tab, connector)}" ${tab === page ? html`aria-current="page"` : ''}>${label}</a></li>`,
      )}</ul></nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Inlet console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/console.css">
<script src="/ui/assets/console.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="/ui">Inlet</a>
  <nav aria-label="Console"><ul><li><a href="/ui" ${page === 'overview' ? html`aria-current="page"` : ''}>Overview</a></li></ul></nav>
  <button type="button" id="logout">Sign out</button>
</header>
<form id="login" hidden>
  <h1>Sign in</h1>
  <p>The console uses the worker's API token (<code>INLET_API_TOKEN</code>). It stays in this tab only.</p>
  <label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
  <p id="login-error" role="alert"></p>
</form>
<main id="content">
  <h1>${title}</h1>
  ${tabs}
  <p id="action-result" role="status" aria-live="polite"></p>
  ${body}
</main>
</body>
</html>`;
}

/** Small and plain: system fonts, readable contrast, visible focus. */
export const CONSOLE_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --accent: #0a58ca; --bad: #b3261e; --good: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b1; --line: #30363d; --accent: #6cb6ff; --bad: #ff7b72; --good: #56d364; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
header nav ul, .tabs ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
header #logout { margin-left: auto; }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
main, #login { padding: 1rem; max-width: 80rem; }
a { color: var(--accent); }
a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
.tabs { border-bottom: 1px solid var(--line); padding-bottom: .5rem; margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: .25rem 0 .75rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: 1rem; margin: .5rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-all; margin: .25rem 0; }
button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: transparent; color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--accent); }
button.danger { color: var(--bad); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
[tabindex="-1"]:focus { outline: none; }
input, textarea, select { font: inherit; padding: .3rem .4rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
input[aria-invalid="true"] { border-color: var(--bad); }
textarea { width: 100%; min-height: 8rem; font-family: ui-monospace, monospace; }
.field { display: grid; grid-template-columns: 18rem 1fr; gap: .5rem; align-items: start; margin: .3rem 0; }
.field input { width: 100%; }
.error, .FAILED, .bad { color: var(--bad); }
.RUNNING, .good { color: var(--good); }
.PAUSED, .STOPPED, .muted { color: var(--muted); }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin: .5rem 0; }
#action-result { min-height: 1.4em; color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.rates figure { margin: 0 0 .5rem; }
.rates svg { width: 320px; height: 80px; border: 1px solid var(--line); border-radius: 4px; }
.rates .series { fill: none; stroke: var(--accent); stroke-width: 2; }
figcaption { color: var(--muted); font-size: 12px; }
.search { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; margin-bottom: .75rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.search label { display: flex; flex-direction: column; gap: .2rem; }
`;
