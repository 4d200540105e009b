import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { ConfigError, DebeziumSourceConfigSchema, parseConnectorsJson } from '../../src/config/index.ts';
import { errorHandler } from '../../src/http/errors.ts';
import { memoryLog } from '../support/log.ts';
import { ingestRoutes } from '../../src/http/ingest.ts';
import { createDebeziumSource } from '../../src/source/debezium.ts';
import { SourceRecordSender } from '../../src/source/source-record-sender.ts';
import type { DeliveryOutcome, RecordProducer } from '../../src/records/index.ts';
import type { SourceRecord, ToRecordsResult } from '../../src/source/types.ts';
import { recordsOf } from '../support/source.ts';

function debezium(config: Record<string, unknown> = {}, name = 'cdc') {
  return createDebeziumSource(name, v.parse(DebeziumSourceConfigSchema, { 'connector.class': 'debezium', topic: 'customers', 'key.fields': 'id', ...config }));
}

function issuesOf(result: ToRecordsResult) {
  if (result.ok) throw new Error(`expected issues, got ${result.records.length} records`);
  return result.issues;
}

const request = { headers: new Headers() };

// What Debezium Server 3.0's PostgreSQL connector emits (source block as captured from a real run).
function source(lsn: number, extra: Record<string, unknown> = {}) {
  return {
    version: '3.0.0.Final',
    connector: 'postgresql',
    name: 'inlet',
    ts_ms: 1795555582172,
    snapshot: 'false',
    db: 'src',
    sequence: `["26366968","${lsn}"]`,
    schema: 'public',
    table: 'customers',
    txId: 731,
    lsn,
    xmin: null,
    ...extra,
  };
}

const row = (id: number, name = `n${id}`) => ({ id, name, qty: id, price: id + 0.5, active: true });
const insert = (id: number, lsn: number) => ({ before: null, after: row(id), source: source(lsn), transaction: null, op: 'c', ts_ms: 1795555582316 });
const remove = (id: number, lsn: number) => ({ before: { id, name: null, qty: null, price: null, active: null }, after: null, source: source(lsn), transaction: null, op: 'd', ts_ms: 1795555582316 });
/** JsonConverter's wrapper, as Debezium Server's json format posts by default (schema trimmed). */
const wrapped = (payload: unknown) => ({ schema: { type: 'struct', fields: [], optional: false, name: 'inlet.public.customers.Envelope', version: 2 }, payload });

describe('debezium source connector', () => {
  test('a row whose key makes the offset longer than a dedupe key is accepted under a digest of its key, the same on every retry', () => {
    const longKey = (id: string) => ({ before: null, after: { ...row(1), id }, source: source(26366968), transaction: null, op: 'c', ts_ms: 1795555582316 });
    const first = 'k'.repeat(300);
    const [once] = recordsOf(debezium().toRecords([longKey(first)], request));
    const [again] = recordsOf(debezium().toRecords([longKey(first)], request));
    const [other] = recordsOf(debezium().toRecords([longKey(`${'k'.repeat(299)}l`)], request));
    expect(once!.sourceOffset).toMatch(/^26366968:c:sha256:[A-Za-z0-9_-]{43}$/);
    expect(once!.headers['inlet.source.offset']).toBe(once!.sourceOffset!);
    expect(again!.sourceOffset).toBe(once!.sourceOffset);
    expect(other!.sourceOffset).not.toBe(once!.sourceOffset);
    // The record itself keeps the whole key.
    expect(once!.key).toBe(JSON.stringify({ id: first }));
    // A short key keeps its readable offset.
    expect(recordsOf(debezium().toRecords([longKey('short')], request))[0]!.sourceOffset).toBe('26366968:c:{"id":"short"}');
  });

  test('a plain envelope becomes one record: topic, row key, table partition, LSN offset, envelope value', () => {
    const event = insert(1, 26366968);
    const [record, ...rest] = recordsOf(debezium().toRecords([event], request));
    expect(rest).toEqual([]);
    expect(record).toEqual({
      topic: 'customers',
      key: '{"id":1}',
      value: JSON.stringify(event),
      sourcePartition: 'src.public.customers',
      sourceOffset: '26366968:c:{"id":1}',
      headers: {
        'inlet.connector': 'cdc',
        'inlet.source.partition': 'src.public.customers',
        'inlet.source.offset': '26366968:c:{"id":1}',
        'inlet.auth': 'none',
      },
    });
  });

  test('the {schema, payload} wrapper is taken off: the record value is the payload', () => {
    const event = insert(2, 100);
    const [record] = recordsOf(debezium().toRecords([wrapped(event)], request));
    expect(JSON.parse(record!.value!)).toEqual(event);
    expect(record!.key).toBe('{"id":2}');
  });

  test('a batch (array or NDJSON items) gives one record per event, in order', () => {
    const events = [insert(1, 100), wrapped(insert(2, 200)), insert(3, 300)];
    const records = recordsOf(debezium().toRecords(events, request));
    expect(records.map((r) => r.key)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
  });

  test('a delete is keyed from before and followed by a tombstone with the same key', () => {
    const records = recordsOf(debezium().toRecords([remove(3, 500)], request));
    expect(records.map((r) => [r.key, r.value === null ? null : JSON.parse(r.value).op, r.sourceOffset])).toEqual([
      ['{"id":3}', 'd', '500:d:{"id":3}'],
      ['{"id":3}', null, '500:d:{"id":3}:tombstone'],
    ]);
    expect(records[1]!.headers['inlet.source.offset']).toBe('500:d:{"id":3}:tombstone');
  });

  test('tombstones.on.delete=false sends the delete alone', () => {
    const records = recordsOf(debezium({ 'tombstones.on.delete': 'false' }).toRecords([remove(3, 500)], request));
    expect(records.map((r) => r.value === null)).toEqual([false]);
  });

  test('composite keys are the JSON of every key field, in key.fields order', () => {
    const event = { ...insert(1, 100), after: { tenant: 'a', id: 1, v: 2 } };
    const [record] = recordsOf(debezium({ 'key.fields': 'tenant,id' }).toRecords([event], request));
    expect(record!.key).toBe('{"tenant":"a","id":1}');
  });

  test('rows changed at one LSN get distinct offsets: a snapshot, a multi-row insert, a key update', () => {
    const snapshot = [1, 2, 3].map((id) => ({ ...insert(id, 26366536), op: 'r', source: source(26366536, { snapshot: 'true' }) }));
    const keyUpdate = [remove(5, 26367464), insert(7, 26367464)];
    const records = recordsOf(debezium({ 'tombstones.on.delete': false }).toRecords([...snapshot, ...keyUpdate], request));
    const offsets = records.map((r) => r.sourceOffset);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(offsets).toEqual([
      '26366536:r:{"id":1}',
      '26366536:r:{"id":2}',
      '26366536:r:{"id":3}',
      '26367464:d:{"id":5}',
      '26367464:c:{"id":7}',
    ]);
  });

  test('a retried event carries the same offset, whether posted plain, wrapped or as a CloudEvent', () => {
    const event = insert(4, 26366968);
    const offsets = [event, wrapped(event), cloudEvent('c', { before: null, after: row(4) }, 26366968)].map(
      (item) => recordsOf(debezium().toRecords([item], request))[0]!.sourceOffset,
    );
    expect(offsets).toEqual(['26366968:c:{"id":4}', '26366968:c:{"id":4}', '26366968:c:{"id":4}']);
  });

  test('a structured CloudEvent (debezium.format.value=cloudevents) is read into the plain envelope', () => {
    const [record] = recordsOf(debezium().toRecords([cloudEvent('c', { schema: {}, payload: { before: null, after: row(8) } }, 26371088)], request));
    const value = JSON.parse(record!.value!);
    expect(value).toMatchObject({ op: 'c', before: null, after: row(8), source: { db: 'src', schema: 'public', table: 'customers', lsn: '26371088', txId: '734' } });
    expect(record!.sourcePartition).toBe('src.public.customers');
  });

  test('a truncate has no key and one offset per LSN', () => {
    const event = { source: source(900), op: 't', ts_ms: 1 };
    const records = recordsOf(debezium().toRecords([event], request));
    expect(records.map((r) => [r.key, r.sourceOffset])).toEqual([[null, '900:t']]);
  });

  test('${schema} and ${table} in topic route each table to its own topic, created from tables', () => {
    const connector = debezium({ topic: 'cdc.${schema}.${table}', tables: 'public.customers, billing.invoices' });
    expect(connector.topics).toEqual(['cdc.public.customers', 'cdc.billing.invoices']);
    const invoice = { ...insert(1, 100), source: { ...source(100), schema: 'billing', table: 'invoices' } };
    expect(recordsOf(connector.toRecords([insert(1, 100), invoice], request)).map((r) => r.topic)).toEqual(['cdc.public.customers', 'cdc.billing.invoices']);
  });

  test('an event of a table not in tables is refused naming source.table', () => {
    const issues = issuesOf(debezium({ tables: 'public.orders' }).toRecords([insert(1, 100)], request));
    expect(issues).toEqual([{ index: 0, path: 'source.table', message: 'table public.customers is not in tables (public.orders)' }]);
  });

  test('a templated topic without tables is a config error naming the key', () => {
    const file = JSON.stringify({ connectors: [{ name: 'cdc', config: { 'connector.class': 'debezium', topic: 'cdc.${table}', 'key.fields': 'id' } }] });
    expect(() => parseConnectorsJson(file, 'c.json')).toThrow('c.json: connectors.0.config.tables: is required when topic holds ${schema} or ${table}');
    expect(() => debezium({ topic: 'cdc.${table}' })).toThrow(ConfigError);
  });

  test('bad events are refused with one issue per problem, naming index and field as posted', () => {
    const items = [
      insert(1, 100),
      { ...insert(2, 200), op: 'x' },
      { ...insert(3, 300), after: { name: 'no key' } },
      wrapped({ ...remove(4, 400), before: null }),
      { ...insert(5, 500), source: { db: 'src', schema: 'public', table: 'customers' } },
      { ts_ms: 1 },
      cloudEvent('c', { before: null, after: { name: 'x' } }, 600),
    ];
    expect(issuesOf(debezium().toRecords(items, request))).toEqual([
      { index: 1, path: 'op', message: 'must be a change event: op is one of c, u, d, r, t' },
      { index: 2, path: 'after.id', message: 'is required' },
      { index: 3, path: 'payload.before', message: 'must be an object holding the key fields' },
      { index: 4, path: 'source.lsn', message: 'is required' },
      { index: 5, path: 'op', message: 'is required: the operation (c, u, d, r or t)' },
      { index: 6, path: 'data.after.id', message: 'is required' },
    ]);
  });
});

describe('debezium source over POST /ingest', () => {
  class MemoryWriter implements RecordProducer<SourceRecord> {
    readonly written: SourceRecord[] = [];
    async write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]> {
      this.written.push(...records);
      return records.map(() => ({ delivered: true }));
    }
    available() {
      return true;
    }
  }

  function app() {
    const writer = new MemoryWriter();
    const cdc = debezium();
    // Refusals are thrown; the app's one error handler answers them, as createApp mounts it.
    const routes = ingestRoutes({
      source: (name) => (name === 'cdc' ? { connector: cdc, accepting: true } : undefined),
      writer: new SourceRecordSender(writer),
      defaultMaxBodyBytes: 1 << 20,
      maxReadingBytes: 1 << 24,
    }).onError(errorHandler(memoryLog()));
    const post = (body: string, contentType = 'application/json') =>
      routes.request('/cdc', { method: 'POST', body, headers: { 'content-type': contentType } });
    return { writer, post };
  }

  test('a bad event answers 400 naming the record index and field; nothing is written', async () => {
    const { writer, post } = app();
    const response = await post(JSON.stringify([insert(1, 100), { ...insert(2, 200), after: { id: null } }]));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string; issues: unknown[] };
    expect(body.message).toBe('invalid record: record 1, field "after.id": must be a string, a number or a boolean (a key field)');
    expect(body.issues).toEqual([{ index: 1, path: 'after.id', message: 'must be a string, a number or a boolean (a key field)' }]);
    expect(writer.written).toEqual([]);
  });

  test('NDJSON is accepted; a retried push (Debezium Server re-posting) is answered duplicate', async () => {
    const { writer, post } = app();
    const body = [insert(1, 100), remove(1, 200)].map((e) => JSON.stringify(wrapped(e))).join('\n');
    expect(await (await post(body, 'application/x-ndjson')).json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await (await post(body, 'application/x-ndjson')).json()).toEqual({ accepted: 0, duplicates: 3, duplicate: true });
    expect(writer.written.map((r) => r.value === null)).toEqual([false, false, true]);
  });
});

/** A structured CloudEvent as Debezium Server 3.0 posts it (application/cloudevents+json). */
function cloudEvent(op: string, data: unknown, lsn: number) {
  return {
    id: `name:inlet;lsn:${lsn};txId:734;sequence:["26371032","${lsn}"]`,
    source: '/debezium/postgresql/inlet',
    specversion: '1.0',
    type: 'io.debezium.connector.postgresql.DataChangeEvent',
    time: '2026-11-24T21:27:39.342Z',
    datacontenttype: 'application/json',
    iodebeziumop: op,
    iodebeziumversion: '3.0.0.Final',
    iodebeziumconnector: 'postgresql',
    iodebeziumname: 'inlet',
    iodebeziumtsms: '1795555659342',
    iodebeziumsnapshot: 'false',
    iodebeziumdb: 'src',
    iodebeziumsequence: `["26371032","${lsn}"]`,
    iodebeziumschema: 'public',
    iodebeziumtable: 'customers',
    iodebeziumtxId: '734',
    iodebeziumlsn: String(lsn),
    iodebeziumxmin: null,
    data,
  };
}
