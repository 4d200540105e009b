import { html } from 'hono/html';
import type { Herder, TopicRecordView } from '../herder.ts';
import type { Html } from './layout.ts';
import { appliedNote, recordJson, signatureNote, sinkPositions, sinkProgress, when } from './records-view.ts';

/** A search looks through this many of the newest records. */
export const SEARCH_WINDOW = 1000;
export const LATEST_DEFAULT = 25;

export interface InspectorQuery {
  /** A source offset (an event id, an Idempotency-Key) or a record key. */
  q?: string | undefined;
  limit: number;
}

/**
 * A search's match: the source offset (a sender's event id; a webhook's Idempotency-Key, which a
 * batch of items takes as `<key>#<index>`, so the key finds them all) or the record key.
 */
export const matches = (record: TopicRecordView, q: string) =>
  record.source_offset === q || record.source_offset?.startsWith(`${q}#`) === true || record.key === q;

function recordRows(herder: Herder, records: TopicRecordView[], positions: Awaited<ReturnType<typeof sinkPositions>>): Html {
  return html`${records.map((record) => html`<tr>
    <td class="mono">${record.topic}[${record.partition}]@${record.offset}</td>
    <td class="mono">${when(record.timestamp)}</td>
    <td class="mono">${record.key ?? html`<span class="muted">null</span>`}</td>
    <td class="mono">${record.source_partition ?? ''}<br>${record.source_offset ?? ''}</td>
    <td>${signatureNote(record)}</td>
    <td class="mono">${record.trace_id ?? html`<span class="muted">none</span>`}</td>
    <td>${appliedNote(record, positions)}</td>
    <td><details><summary>JSON<span class="visually-hidden"> of offset ${record.offset}</span></summary><pre>${recordJson(record)}</pre></details></td>
  </tr>`)}`;
}

/** A search that found nothing looked only at the newest SEARCH_WINDOW records: say so. */
const notFound = (herder: Herder, name: string, q: string): Html =>
  html`Nothing matches "${q}" in the search window: the newest ${SEARCH_WINDOW} records of ${herder.topics(name).join(', ')}. Older records are not searched.`;

/** The newest records of a connector's topics, or those matching a search, with where each stands. */
export async function inspectorFragment(herder: Herder, name: string, query: InspectorQuery): Promise<Html> {
  const q = query.q?.trim();
  let records: TopicRecordView[];
  try {
    records = await herder.latestRecords(name, q ? SEARCH_WINDOW : query.limit);
  } catch (error) {
    return html`<p class="bad">${(error as Error).message}</p>`;
  }
  if (q) records = records.filter((r) => matches(r, q)).slice(-query.limit);
  // Newest first, the way a reader looks for what just happened.
  records.sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0) || b.offset - a.offset);
  const positions = await sinkPositions(herder, new Set(records.map((r) => r.topic)));
  const summary = q
    ? `${records.length} record${records.length === 1 ? '' : 's'} matching "${q}" among the newest ${SEARCH_WINDOW}`
    : `the newest ${records.length} record${records.length === 1 ? '' : 's'} of ${herder.topics(name).join(', ')}`;
  // Found, and applied wherever it goes: a part watching it (after a test event) can stop asking.
  const settled = q !== undefined && q !== '' && records.length > 0 && records.every((r) => sinkProgress(r, positions).every((s) => s.applied));
  return html`<table ${settled ? html`data-settled` : ''}>
    <caption class="muted">${summary}</caption>
    <thead><tr><th scope="col">Topic[partition]@offset</th><th scope="col">Time (UTC)</th><th scope="col">Key</th><th scope="col">Source partition / offset</th><th scope="col">Signature</th><th scope="col">Trace id</th><th scope="col">Applied by the sink</th><th scope="col">Record</th></tr></thead>
    <tbody>${records.length === 0 ? html`<tr><td colspan="8" class="muted">${q ? notFound(herder, name, q) : 'No records.'}</td></tr>` : recordRows(herder, records, positions)}</tbody>
  </table>`;
}

export function inspectorPage(name: string): Html {
  const fragment = `/ui/f/connectors/${encodeURIComponent(name)}/records`;
  return html`<form class="search" role="search" data-search="#records">
    <label for="q">Source offset, Idempotency-Key or key
      <input id="q" name="q" type="search" size="32"></label>
    <label for="limit">Show
      <select id="limit" name="limit"><option value="10">10</option><option value="25" selected>25</option><option value="100">100</option></select></label>
    <button type="submit">Search</button>
  </form>
  <div id="records" data-fragment="${fragment}" data-reload><p class="muted">Loading…</p></div>`;
}
