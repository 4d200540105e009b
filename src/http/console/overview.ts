import { html } from 'hono/html';
import type { Herder, TopicRecordView } from '../herder.ts';
import { pagePath, type Html } from './layout.ts';
import { errorContext } from './records-view.ts';

/** Dead letters shown per sink among the recent errors. */
const RECENT_DEAD_LETTERS = 5;

/** Every connector with its state, its tasks and the workers running them. */
function connectorsTable(herder: Herder): Html {
  const names = herder.names().sort();
  if (names.length === 0) return html`<p>No connectors yet. Create one with <code>POST /connectors</code> or <code>inlet connectors create</code>.</p>`;
  const rows = names.map((name) => {
    const info = herder.info(name);
    const status = herder.status(name);
    const workers = [...new Set([status?.connector.worker_id, ...(status?.tasks ?? []).map((t) => t.worker_id)].filter(Boolean))];
    return html`<tr>
      <th scope="row"><a href="${pagePath('connector', name)}">${name}</a></th>
      <td>${info?.type ?? ''}</td>
      <td><code>${info?.config['connector.class'] ?? ''}</code></td>
      <td class="${status?.connector.state ?? ''}">${status?.connector.state ?? 'UNKNOWN'}</td>
      <td>${(status?.tasks ?? []).length === 0 ? html`<span class="muted">none</span>` : (status?.tasks ?? []).map((t) => html`<div><span class="${t.state}">${name}-${t.id} ${t.state}</span></div>`)}</td>
      <td>${workers.map((w) => html`<div class="mono">${w}</div>`)}</td>
    </tr>`;
  });
  return html`<table><caption class="muted">${names.length} connector${names.length === 1 ? '' : 's'}</caption>
    <thead><tr><th scope="col">Connector</th><th scope="col">Type</th><th scope="col">Class</th><th scope="col">State</th><th scope="col">Tasks</th><th scope="col">Workers</th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

interface RecentError {
  where: string;
  link: string;
  what: string;
  detail?: string;
}

/** Failed connectors and tasks (their traces), and each sink's newest dead letters not yet replayed. */
async function recentErrors(herder: Herder): Promise<RecentError[]> {
  const errors: RecentError[] = [];
  for (const name of herder.names().sort()) {
    const status = herder.status(name);
    if (status?.connector.state === 'FAILED') errors.push({ where: name, link: pagePath('connector', name), what: 'connector FAILED', detail: status.connector.trace });
    for (const task of status?.tasks ?? []) {
      if (task.state === 'FAILED') errors.push({ where: `${name}-${task.id}`, link: pagePath('connector', name), what: `task FAILED on ${task.worker_id}`, detail: task.trace });
    }
    const info = herder.info(name);
    if (info?.type !== 'sink' || !info.config['errors.deadletterqueue.topic.name']) continue;
    let letters: TopicRecordView[];
    let replayedBelow: Map<number, number>;
    try {
      [letters, replayedBelow] = await Promise.all([herder.deadLetters(name, RECENT_DEAD_LETTERS), herder.deadLetterReplayPositions(name)]);
    } catch {
      // No dead-letter topic yet (nothing failed), or the sink is not running here.
      continue;
    }
    // A replayed letter is an error dealt with.
    for (const letter of letters.reverse().filter((l) => l.offset >= (replayedBelow.get(l.partition) ?? 0))) {
      const context = errorContext(letter);
      errors.push({ where: name, link: pagePath('dlq', name), what: `dead letter from ${context.origin}`, detail: context.message });
    }
  }
  return errors;
}

export async function overviewFragment(herder: Herder): Promise<Html> {
  const errors = await recentErrors(herder);
  return html`${connectorsTable(herder)}
  <h2>Recent errors</h2>
  ${errors.length === 0
    ? html`<p class="good">No failed connectors or tasks, and no dead letters waiting.</p>`
    : html`<ul class="errors">${errors.map((e) => html`<li><a href="${e.link}">${e.where}</a>: <span class="bad">${e.what}</span>${e.detail ? html`<pre>${e.detail}</pre>` : ''}</li>`)}</ul>`}`;
}

export const overviewPage: Html = html`
<h2>Connectors</h2>
<div data-fragment="/ui/f/overview" data-refresh="10000" data-reload><p class="muted">Loading…</p></div>
<h2>Ingest rate and sink lag</h2>
<div id="rates" class="charts" aria-live="off"><p class="muted">Loading the worker's last ten minutes…</p></div>`;
