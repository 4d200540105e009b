import * as v from 'valibot';
import { stringifyJson } from '../json/index.ts';
import { ConfigError, type DebeziumSourceConfig } from '../config/index.ts';
import type { JsonObject } from '../records/index.ts';
import { envelopeSchema, readEvent, type ChangeEvent } from './debezium-envelope.ts';
import type { RecordIssue, SourceConnector, SourceRecord, ToRecordsResult } from './types.ts';
import { SOURCE_HEADERS } from './headers.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { dedupeKeyTooLong } from './dedupe-key.ts';

const MAX_REPORTED_ISSUES = 20;
const PLACEHOLDER = /\$\{(schema|table)\}/;

/** `db.schema.table` (or `db.table` for sources without schemas): the source partition. */
function tableOf(event: ChangeEvent): { qualified: string; partition: string; schema: string; table: string } {
  const { db, schema, table } = event.source;
  const qualified = schema ? `${schema}.${table}` : table;
  return { qualified, partition: `${db}.${qualified}`, schema: schema ?? '', table };
}

/**
 * The source offset of one event: unique per event and the same on every retry of it. The LSN
 * alone is not: a snapshot reads every row at one LSN, a multi-row insert (COPY) logs its rows
 * in one WAL record, and a primary-key update becomes a delete and a create at one LSN. The
 * operation and the row's key tell those apart. Not ordered across transactions (see README).
 */
function offsetOf(event: ChangeEvent, key: string | null): string {
  const lsn = String(event.source.lsn);
  if (key === null) return `${lsn}:${event.op}`;
  const offset = `${lsn}:${event.op}:${key}`;
  // A long key (a text primary key) is the sender's data, not a choice it could shorten: refusing
  // it would leave a CDC emitter retrying that change for ever. Its digest keeps the offset unique
  // per row and the same on every retry, inside the window's per-key bound.
  return dedupeKeyTooLong(offset) ? `${lsn}:${event.op}:sha256:${digestOf(key)}` : offset;
}

const encoder = new TextEncoder();

/** Base64url SHA-256: synchronous (toRecords is), and the same code on every runtime. */
function digestOf(text: string): string {
  let binary = '';
  for (const byte of sha256(encoder.encode(text))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The Debezium change-event source: each posted event (plain envelope, `{schema, payload}`, or a
 * structured CloudEvent) becomes one Kafka record keyed by the row's primary key, valued with the
 * plain envelope; a delete is followed by a tombstone when `tombstones.on.delete` is set.
 */
export function createDebeziumSource(name: string, config: DebeziumSourceConfig): SourceConnector {
  const keyFields = config['key.fields'];
  const schema = envelopeSchema(keyFields);
  const templated = PLACEHOLDER.test(config.topic);
  const tables = new Set(config.tables);
  if (templated && tables.size === 0) {
    throw new ConfigError(`connector "${name}": tables is required when topic holds \${schema} or \${table} (the topics are created at start)`);
  }
  const topicFor = (schemaName: string, table: string) =>
    config.topic.replaceAll('${schema}', schemaName).replaceAll('${table}', table);
  const topics = templated
    ? [...new Set(config.tables.map((t) => {
        const dot = t.indexOf('.');
        return dot < 0 ? topicFor('', t) : topicFor(t.slice(0, dot), t.slice(dot + 1));
      }))]
    : [config.topic];

  function keyOf(row: JsonObject): string {
    return stringifyJson(Object.fromEntries(keyFields.map((field) => [field, row[field]])));
  }

  function toRecords(items: readonly unknown[]): ToRecordsResult {
    const issues: RecordIssue[] = [];
    const records: SourceRecord[] = [];
    items.forEach((item, index) => {
      if (issues.length >= MAX_REPORTED_ISSUES) return;
      const { envelope, pathInBody } = readEvent(item);
      const parsed = v.safeParse(schema, envelope);
      if (!parsed.success) {
        for (const issue of parsed.issues) issues.push({ index, path: pathInBody(v.getDotPath(issue) ?? ''), message: issue.message });
        return;
      }
      const event = parsed.output as ChangeEvent;
      const where = tableOf(event);
      if (tables.size > 0 && !tables.has(where.qualified)) {
        issues.push({ index, path: pathInBody('source.table'), message: `table ${where.qualified} is not in tables (${config.tables.join(', ')})` });
        return;
      }
      const row = event.op === 'd' ? event.before : event.op === 't' ? null : event.after;
      const key = row ? keyOf(row) : null;
      const sourceOffset = offsetOf(event, key);
      const base = { topic: topicFor(where.schema, where.table), key, sourcePartition: where.partition };
      const headers = (offset: string) => ({
        [SOURCE_HEADERS.connector]: name,
        [SOURCE_HEADERS.partition]: where.partition,
        [SOURCE_HEADERS.offset]: offset,
        // No verify: the CDC sender is not authenticated.
        [SOURCE_HEADERS.auth]: 'none',
      });
      // The envelope as posted (unwrapped), not valibot's copy, so its fields keep their order;
      // numbers past what a double holds (int64 ids, decimals) are written with their digits.
      records.push({ ...base, value: stringifyJson(envelope), headers: headers(sourceOffset), sourceOffset });
      if (event.op === 'd' && config['tombstones.on.delete']) {
        const tombstoneOffset = `${sourceOffset}:tombstone`;
        records.push({ ...base, value: null, headers: headers(tombstoneOffset), sourceOffset: tombstoneOffset });
      }
    });
    return issues.length > 0 ? { ok: false, issues } : { ok: true, records };
  }

  return {
    name,
    topics,
    maxBodyBytes: config['max.body.bytes'],
    dedupe: { windowMs: config['dedupe.window.ms'], maxEntries: config['dedupe.max.entries'] },
    // No offsetOrder: LSNs do not grow in delivery order across concurrent transactions, nor
    // within a snapshot, so "at or below the stored offset" would drop real changes.
    toRecords,
  };
}
