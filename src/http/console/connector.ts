import { html } from 'hono/html';
import { ConnectError } from '../../errors/index.ts';
import type { ConnectorInfo, Herder } from '../herder.ts';
import { pagePath, type Html } from './layout.ts';

/** What GET shows for a secret: sent back as it is, PUT keeps the stored value. */
const HIDDEN = '[hidden]';
const NEW_KEY = '_new_key';
const NEW_VALUE = '_new_value';

function statusPart(herder: Herder, name: string): Html {
  const status = herder.status(name);
  const info = herder.info(name);
  if (!status || !info) return html`<p class="bad">Connector ${name} not found.</p>`;
  return html`<p><code>${info.config['connector.class'] ?? ''}</code> · ${info.type} connector</p>
  <p>State: <strong class="${status.connector.state}" id="connector-state">${status.connector.state}</strong> on <span class="mono">${status.connector.worker_id}</span></p>
  ${status.connector.trace ? html`<pre class="bad">${status.connector.trace}</pre>` : ''}
  <table><caption class="muted">tasks</caption>
    <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Worker</th><th scope="col">Trace</th></tr></thead>
    <tbody>${status.tasks.length === 0
      ? html`<tr><td colspan="4" class="muted">No tasks.</td></tr>`
      : status.tasks.map((t) => html`<tr><td>${name}-${t.id}</td><td class="${t.state}">${t.state}</td><td class="mono">${t.worker_id}</td><td>${t.trace ? html`<pre>${t.trace}</pre>` : ''}</td></tr>`)}</tbody>
  </table>`;
}

async function offsetsPart(herder: Herder, name: string): Promise<Html> {
  let offsets;
  try {
    offsets = await herder.offsets(name);
  } catch (error) {
    return html`<p class="muted">${(error as Error).message}</p>`;
  }
  if (offsets.length === 0) return html`<p class="muted">No offsets stored.</p>`;
  return html`<table><thead><tr><th scope="col">Partition</th><th scope="col">Offset</th></tr></thead>
    <tbody>${offsets.map((o) => html`<tr><td class="mono">${JSON.stringify(o.partition)}</td><td class="mono">${JSON.stringify(o.offset)}</td></tr>`)}</tbody></table>`;
}

/** The status, tasks and offsets: refreshed as they change. */
export async function connectorStatusFragment(herder: Herder, name: string): Promise<Html> {
  return html`${statusPart(herder, name)}<h2>Offsets</h2>${await offsetsPart(herder, name)}`;
}

const fieldId = (key: string) => `cfg-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The config as a form, each key a labelled field, its validation errors beside it. */
export function configForm(name: string, config: Record<string, string>, errors: Map<string, string[]>, note?: Html): Html {
  const keys = Object.keys(config).sort((a, b) => (a === 'connector.class' ? -1 : b === 'connector.class' ? 1 : a.localeCompare(b)));
  const field = (key: string, value: string, fieldErrors: string[]) => {
    const id = fieldId(key);
    const invalid = fieldErrors.length > 0;
    return html`<div class="field">
      <label for="${id}" class="mono">${key}</label>
      <div><input id="${id}" name="${key}" value="${value}" ${invalid ? html`aria-invalid="true" aria-describedby="${id}-error"` : ''} ${key === 'connector.class' ? html`readonly` : ''}>
      ${invalid ? html`<p id="${id}-error" class="error">${fieldErrors.join('; ')}</p>` : ''}</div>
    </div>`;
  };
  const orphans = [...errors].filter(([key]) => !(key in config));
  return html`<form data-post="/ui/f/connectors/${encodeURIComponent(name)}/config" data-target="#config" novalidate>
    ${note ?? ''}
    ${keys.map((key) => field(key, config[key]!, errors.get(key) ?? []))}
    ${orphans.map(([key, messages]) => html`<p class="error" data-focus tabindex="-1">${key}: ${messages.join('; ')}</p>`)}
    <div class="field"><label for="new-key">Add a key</label><div><input id="new-key" name="${NEW_KEY}" class="mono"> <label for="new-value">with the value</label> <input id="new-value" name="${NEW_VALUE}"></div></div>
    <div class="actions">
      <button type="submit" name="intent" value="validate">Validate</button>
      <button type="submit" name="intent" value="save">Save</button>
    </div>
  </form>`;
}

/**
 * Validates the form's config with the validate route's checks and, when asked and valid, saves
 * it (PUT's semantics: `[hidden]` keeps a stored secret). Answers the form again, errors inline.
 */
export async function submitConfig(herder: Herder, info: ConnectorInfo, fields: Record<string, string>, intent: 'validate' | 'save'): Promise<Html> {
  const { [NEW_KEY]: newKey = '', [NEW_VALUE]: newValue = '', ...config } = fields;
  if (newKey.trim() !== '') config[newKey.trim()] = newValue;
  const pluginClass = info.config['connector.class'] ?? '';
  config['connector.class'] = pluginClass;
  const report = herder.validate(pluginClass, config) ?? [];
  const errors = new Map<string, string[]>();
  for (const entry of report) {
    // A secret sent back as shown is the stored one, which the worker validated when it was set.
    if (entry.errors.length > 0 && config[entry.name] !== HIDDEN) errors.set(entry.name, entry.errors);
  }
  const count = [...errors.values()].reduce((n, e) => n + e.length, 0);
  if (count > 0) return configForm(info.name, config, errors, html`<p class="bad" role="alert">${count} error${count === 1 ? '' : 's'}: see the fields marked below.</p>`);
  if (intent === 'validate') return configForm(info.name, config, errors, html`<p class="good" role="alert">Valid ${pluginClass} config.</p>`);
  try {
    const { info: saved } = await herder.putConfig(info.name, config);
    return configForm(info.name, saved.config, errors, html`<p class="good" role="alert">Saved; the connector restarts with it.</p>`);
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return configForm(info.name, config, errors, html`<p class="bad" role="alert">${error.message}</p>`);
  }
}

/** The page's shell: the name from the URL and the actions, nothing read from the worker (see shell()). */
export function connectorPage(name: string): Html {
  const base = `/connectors/${encodeURIComponent(name)}`;
  const button = (label: string, method: string, path: string, extra: Html | string = '') =>
    html`<button type="button" data-method="${method}" data-url="${base}${path}" data-label="${label} ${name}" ${extra}>${label}</button>`;
  return html`<div class="actions" role="group" aria-label="Connector actions">
    ${button('Pause', 'PUT', '/pause')}
    ${button('Resume', 'PUT', '/resume')}
    ${button('Restart', 'POST', '/restart?includeTasks=true')}
    ${button('Stop', 'PUT', '/stop')}
    ${button('Delete', 'DELETE', '', html`class="danger" data-confirm="Delete connector ${name}? Its config and status go; its topics and tables stay." data-after="${pagePath('overview')}"`)}
  </div>
  <h2>Status</h2>
  <div data-fragment="/ui/f${base}/status" data-refresh="3000" data-reload><p class="muted">Loading…</p></div>
  <h2>Config</h2>
  <div id="config" data-fragment="/ui/f${base}/config"><p class="muted">Loading…</p></div>`;
}
