import { html } from 'hono/html';
import { PushSigningError, signPush } from '../../signing/index.ts';
import type { ConnectorInfo } from '../herder.ts';
import type { Html } from './layout.ts';

/** A push the worker takes as if it came over the network: its own ingest route. */
export type IngestFetch = (request: Request) => Response | Promise<Response>;

const SIGNED = new Set(['stripe', 'github', 'standard-webhooks']);

const needsSecret = (config: Record<string, string>) =>
  SIGNED.has(config['connector.class'] ?? '') || (config['connector.class'] === 'webhook' && (config['auth.type'] ?? 'none') !== 'none');

function sampleBody(connectorClass: string, id: string): string {
  const body = connectorClass === 'stripe'
    ? { id, object: 'event', type: 'console.test', created: 0, data: { object: { id: 'console_test', amount: 1 } } }
    : { id: 1, amount: 1, note: 'a test event from the Inlet console' };
  return JSON.stringify(body, null, 2);
}

/** The form: a body to push, an id, and the secret to sign it with (never stored). */
export function sendForm(info: ConnectorInfo): Html {
  const connectorClass = info.config['connector.class'] ?? '';
  if (info.type !== 'source') return html`<p class="muted">${info.name} is a sink connector: only source connectors take pushes.</p>`;
  const id = `${connectorClass === 'stripe' ? 'evt' : 'msg'}_console_${crypto.randomUUID().slice(0, 8)}`;
  return html`<form data-post="/ui/f/connectors/${encodeURIComponent(info.name)}/send" data-target="#sent">
    <p>Builds a push for this <code>${connectorClass}</code> connector, signed as it verifies pushes, and posts it to <code>/ingest/${info.name}</code>.</p>
    <div class="field"><label for="send-body">Body (JSON)</label><textarea id="send-body" name="body" spellcheck="false">${sampleBody(connectorClass, id)}</textarea></div>
    <div class="field"><label for="send-id">Event id (${connectorClass === 'stripe' ? "the body's id" : connectorClass === 'github' ? 'X-GitHub-Delivery' : connectorClass === 'webhook' ? 'Idempotency-Key' : 'webhook-id'})</label><input id="send-id" name="id" value="${id}" class="mono"></div>
    ${connectorClass === 'github' ? html`<div class="field"><label for="send-event">X-GitHub-Event</label><input id="send-event" name="event" value="ping"></div>` : ''}
    ${needsSecret(info.config) ? html`<div class="field"><label for="send-secret">Signing secret (as configured on the connector; used once, never stored)</label><input id="send-secret" name="secret" type="password" autocomplete="off" required></div>` : ''}
    <div class="actions"><button type="submit">Send</button></div>
  </form>
  <div id="sent" aria-live="polite"></div>`;
}

const randomHex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** The id the source takes as the record's source offset (Stripe: the event's own id). */
function sourceOffsetOf(connectorClass: string, id: string, body: string): string {
  if (connectorClass !== 'stripe') return id;
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : id;
  } catch {
    return id;
  }
}

/** Signs and pushes the event, then shows the worker's answer and watches the record land. */
export async function sendTestEvent(info: ConnectorInfo, fields: Record<string, string>, ingest: IngestFetch): Promise<Html> {
  const connectorClass = info.config['connector.class'] ?? '';
  const body = fields.body ?? '';
  const id = fields.id?.trim() || `msg_console_${crypto.randomUUID().slice(0, 8)}`;
  let headers: Record<string, string>;
  try {
    headers = await signPush({ connectorClass, config: info.config, body, secret: fields.secret || undefined, id, event: fields.event || 'ping', nowSeconds: Math.floor(Date.now() / 1000) });
  } catch (error) {
    if (!(error instanceof PushSigningError)) throw error;
    return html`<p class="bad" role="alert" data-focus tabindex="-1">${error.message}</p>`;
  }
  // A trace of its own (W3C trace context), so the record's trace id ties it to this test.
  const traceId = randomHex(16);
  const traceparent = `00-${traceId}-${randomHex(8)}-01`;
  const response = await ingest(new Request(`http://console.invalid/ingest/${encodeURIComponent(info.name)}`, { method: 'POST', headers: { ...headers, traceparent }, body }));
  const answer = await response.text();
  const accepted = response.ok;
  const q = sourceOffsetOf(connectorClass, id, body);
  return html`<p class="${accepted ? 'good' : 'bad'}" role="alert" data-focus tabindex="-1" id="send-answer">POST /ingest/${info.name}: ${response.status}</p>
  <p>Trace id <code id="send-trace">${traceId}</code></p>
  <pre>${answer}</pre>
  ${accepted
    ? html`<h2>Watching it land</h2>
      <div data-fragment="/ui/f/connectors/${encodeURIComponent(info.name)}/records" data-query="${new URLSearchParams({ q, limit: '5' }).toString()}" data-refresh="1500"><p class="muted">Looking for ${q}…</p></div>`
    : ''}`;
}

export function sendPage(name: string): Html {
  return html`<div data-fragment="/ui/f/connectors/${encodeURIComponent(name)}/send"><p class="muted">Loading…</p></div>`;
}
