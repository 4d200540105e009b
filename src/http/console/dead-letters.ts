import { html } from 'hono/html';
import type { Herder, TopicRecordView } from '../herder.ts';
import type { Html } from './layout.ts';
import { errorContext, recordJson, when } from './records-view.ts';

export const DEAD_LETTERS_SHOWN = 100;

function letterRow(name: string, letter: TopicRecordView, replayed: boolean): Html {
  const context = errorContext(letter);
  const replay = `/connectors/${encodeURIComponent(name)}/dlq/replay?offset=${letter.offset}`;
  return html`<tr>
    <td class="mono">[${letter.partition}]@${letter.offset}</td>
    <td class="mono">${when(letter.timestamp)}</td>
    <td class="mono">${context.origin}</td>
    <td><span class="bad">${context.message}</span>
      <details><summary>Error context and record<span class="visually-hidden"> of dead letter ${letter.offset}</span></summary>
        <table>${context.headers.map(([header, value]) => html`<tr><th scope="row" class="mono">${header}</th><td><pre>${value}</pre></td></tr>`)}</table>
        <pre>${recordJson(letter)}</pre>
      </details></td>
    <td>${replayed
      ? html`<span class="good">replayed</span>`
      : html`<button type="button" data-method="POST" data-url="${replay}" data-label="Replay through offset ${letter.offset}">Replay up to here</button>`}</td>
  </tr>`;
}

/** A sink's newest dead letters with their `__connect.errors.*` context, each replayable up to itself. */
export async function deadLettersFragment(herder: Herder, name: string): Promise<Html> {
  let letters: TopicRecordView[];
  let positions: Map<number, number>;
  try {
    [letters, positions] = await Promise.all([herder.deadLetters(name, DEAD_LETTERS_SHOWN), herder.deadLetterReplayPositions(name)]);
  } catch (error) {
    return html`<p class="muted">${(error as Error).message}</p>`;
  }
  if (letters.length === 0) return html`<p class="good">No dead letters.</p>`;
  const replayed = (letter: TopicRecordView) => letter.offset < (positions.get(letter.partition) ?? 0);
  const waiting = letters.filter((letter) => !replayed(letter)).length;
  return html`<table>
    <caption class="muted">the newest ${letters.length} dead letter${letters.length === 1 ? '' : 's'}, oldest first: ${waiting} waiting, ${letters.length - waiting} replayed (a replay applies a partition's letters in order, from its first waiting one)</caption>
    <thead><tr><th scope="col">Partition@offset</th><th scope="col">Time (UTC)</th><th scope="col">Failed record</th><th scope="col">Error</th><th scope="col">Replay</th></tr></thead>
    <tbody>${letters.map((letter) => letterRow(name, letter, replayed(letter)))}</tbody>
  </table>`;
}

export function deadLettersPage(name: string): Html {
  const base = `/connectors/${encodeURIComponent(name)}`;
  return html`<div class="actions">
    <button type="button" data-method="POST" data-url="${base}/dlq/replay" data-label="Replay all">Replay all</button>
  </div>
  <div data-fragment="/ui/f${base}/dlq" data-reload><p class="muted">Loading…</p></div>`;
}
