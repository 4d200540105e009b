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

const SIGNED_CLASSES = new Set(['stripe', 'github', 'standard-webhooks']);

/**
 * What the source checked before writing the record: a source writes only pushes whose signature
 * (or token) it verified, so the connector's type and auth say what was checked.
 */
export function signatureNote(herder: Herder, record: TopicRecordView): Html {
  const source = record.headers['inlet.connector'];
  if (!source) return html`<span class="muted">not written by an Inlet source</span>`;
  const config = herder.info(source)?.config;
  if (!config) return html`<span class="muted">source ${source} no longer exists</span>`;
  const type = config['connector.class'] ?? '';
  if (SIGNED_CLASSES.has(type)) return html`<span class="good">verified at ingest (${type} signature)</span>`;
  if (type === 'webhook' && config['auth.type'] === 'hmac-sha256') return html`<span class="good">verified at ingest (HMAC-SHA256 in ${config['auth.header'] ?? 'X-Signature'})</span>`;
  if (type === 'webhook' && config['auth.type'] === 'bearer') return html`<span class="good">bearer token checked at ingest</span>`;
  return html`<span class="muted">unsigned (${type}${config['auth.type'] ? `, auth.type ${config['auth.type']}` : ''})</span>`;
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
