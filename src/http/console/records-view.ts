import { html } from 'hono/html';
import type { Herder, TopicRecordView } from '../herder.ts';
import type { Html } from './layout.ts';

/** Where a sink stands on one partition: the next offset it will apply, as stored in its database. */
export interface SinkPosition {
  sink: string;
  next: number;
}

/** Per `topic/partition`, what each sink reading it has stored (GET /connectors/{sink}/offsets). */
export async function sinkPositions(herder: Herder, topics: ReadonlySet<string>): Promise<Map<string, SinkPosition[]>> {
  const positions = new Map<string, SinkPosition[]>();
  for (const sink of herder.names()) {
    if (herder.info(sink)?.type !== 'sink' || !herder.topics(sink).some((t) => topics.has(t))) continue;
    let entries;
    try {
      entries = await herder.offsets(sink);
    } catch {
      continue;
    }
    for (const { partition, offset } of entries) {
      const key = `${String(partition.kafka_topic)}/${String(partition.kafka_partition)}`;
      const next = Number(offset?.kafka_offset ?? 0);
      positions.set(key, [...(positions.get(key) ?? []), { sink, next }]);
    }
    // A sink with nothing stored for a partition has applied none of it.
    for (const topic of herder.topics(sink)) if (topics.has(topic)) positions.set(`${topic}/*`, [...(positions.get(`${topic}/*`) ?? []), { sink, next: 0 }]);
  }
  return positions;
}

/** Each sink reading the record's topic, with the offset it stored for the partition and whether that is past the record. */
export function sinkProgress(record: TopicRecordView, positions: Map<string, SinkPosition[]>): (SinkPosition & { applied: boolean })[] {
  const stored = positions.get(`${record.topic}/${record.partition}`) ?? [];
  return (positions.get(`${record.topic}/*`) ?? []).map(({ sink }) => {
    const next = stored.find((p) => p.sink === sink)?.next ?? 0;
    return { sink, next, applied: next > record.offset };
  });
}

/** "applied by sink (stored offset N > offset)" or "pending", for each sink reading the record's topic. */
export function appliedNote(record: TopicRecordView, positions: Map<string, SinkPosition[]>): Html {
  const sinks = sinkProgress(record, positions);
  if (sinks.length === 0) return html`<span class="muted">no sink reads ${record.topic}</span>`;
  return html`${sinks.map(({ sink, next, applied }) =>
    applied
      ? html`<div class="good">applied by ${sink} <span class="muted">(stored offset ${next} &gt; ${record.offset})</span></div>`
      : html`<div class="bad">pending in ${sink} <span class="muted">(stored offset ${next} ≤ ${record.offset})</span></div>`,
  )}`;
}

/** What each `inlet.auth` value (src/source/headers.ts: the console may not import the data path) says the source checked. */
const AUTH_NOTES: Record<string, Html> = {
  stripe: html`<span class="good">verified at ingest (Stripe signature)</span>`,
  github: html`<span class="good">verified at ingest (GitHub signature)</span>`,
  'standard-webhooks': html`<span class="good">verified at ingest (Standard Webhooks signature)</span>`,
  hmac: html`<span class="good">verified at ingest (HMAC-SHA256 of the body)</span>`,
  token: html`<span class="good">bearer token checked at ingest</span>`,
  none: html`<span class="muted">unauthenticated (the source checked nothing)</span>`,
};

/**
 * What the source checked before writing the record, as it stamped it in `inlet.auth` then: the
 * connector's config today may differ. Records written before the header existed say so.
 */
export function signatureNote(record: TopicRecordView): Html {
  if (!record.headers['inlet.connector']) return html`<span class="muted">not written by an Inlet source</span>`;
  const scheme = record.headers['inlet.auth'];
  if (scheme === undefined) return html`<span class="muted">unknown (older record)</span>`;
  return AUTH_NOTES[scheme] ?? html`<span class="muted">${scheme}</span>`;
}

/** A record as pretty JSON, its value parsed when it is JSON. */
export function recordJson(record: TopicRecordView): string {
  let value: unknown = record.value;
  if (record.encoding === 'utf8' && record.value !== null) {
    try {
      value = JSON.parse(record.value);
    } catch {
      // Not JSON: shown as the text it is.
    }
  }
  return JSON.stringify({ ...record, value }, null, 2);
}

/** The `__connect.errors.*` headers of a dead letter, as one line each. */
export function errorContext(letter: TopicRecordView): { origin: string; message: string; headers: [string, string][] } {
  const h = letter.headers;
  const headers = Object.entries(h).filter(([name]) => name.startsWith('__connect.errors.'));
  const origin = `${h['__connect.errors.topic'] ?? '?'}[${h['__connect.errors.partition'] ?? '?'}]@${h['__connect.errors.offset'] ?? '?'}`;
  const message = [h['__connect.errors.exception.class.name'], h['__connect.errors.exception.message']].filter(Boolean).join(': ');
  return { origin, message, headers };
}

export const when = (timestamp: number | null) => (timestamp === null ? '' : new Date(timestamp).toISOString().replace('T', ' ').replace('Z', ''));
