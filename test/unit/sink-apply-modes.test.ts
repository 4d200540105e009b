import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { checkConnectorConfig, DatabaseSinkConfigSchema, type DatabaseSinkConfig } from '../../src/config/index.ts';
import { decimalText, fieldColumn } from '../../src/sink/connect-schema.ts';
import { tableName } from '../../src/sink/records.ts';
import type { SinkRecord } from '../../src/records/index.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { changesOf, errantOf } from '../support/planned.ts';

function sinkConfig(config: Record<string, unknown> = {}): DatabaseSinkConfig {
  return v.parse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 'dbserver1.inventory.customers', ...config });
}

let nextOffset = 0;
function record(value: unknown, key: unknown = null, topic = 'dbserver1.inventory.customers'): SinkRecord {
  return toSinkRecord({
    topic,
    partition: 0,
    offset: nextOffset++,
    key: key === null ? null : Buffer.from(typeof key === 'string' ? key : JSON.stringify(key)),
    value: value === null ? null : Buffer.from(JSON.stringify(value)),
    headers: {},
  });
}

const source = { db: 'inventory', schema: 'public', table: 'customers', lsn: 1 };
const envelope = (op: string, after: unknown, before: unknown = null, src: unknown = source) => ({ before, after, source: src, op });

describe('primary.key.mode', () => {
  test('record_key without primary.key.fields takes every field of a JSON-object key as a key column', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key' });
    const changes = changesOf(
      [record({ n: 'a' }, { tenant: 't', id: 1 }), record({ n: 'b' }, { tenant: 't', id: 1 }), record(envelope('d', null, { tenant: 't', id: 2 }), { tenant: 't', id: 2 })],
      config,
    );
    expect(changes).toEqual([
      { table: 'dbserver1.inventory.customers', keyColumns: ['tenant', 'id'], rows: [{ n: 'b', tenant: 't', id: 1 }], deletes: [{ tenant: 't', id: 2 }] },
    ]);
  });

  test('record_key with named fields takes only those of the key, and a key lacking one is errant', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': 'id' });
    expect(changesOf([record({ n: 'a' }, { tenant: 't', id: 1 })], config)[0]!.rows).toEqual([{ n: 'a', id: 1 }]);
    expect(errantOf([record({ n: 'a' }, { other: 1 })], config).message).toEndWith('key {"other":1} does not hold the key fields id');
  });

  test('record_key with a scalar key and no named field is errant: the column has no name', () => {
    const error = errantOf([record({ n: 'a' }, 'k-1')], sinkConfig({ 'primary.key.mode': 'record_key' }));
    expect(error.message).toEndWith('key k-1 is not a JSON object: primary.key.fields must name its column');
  });

  test('record_key keys wrapped as {schema, payload} are unwrapped', () => {
    const key = { schema: { type: 'struct', fields: [{ field: 'id', type: 'int32' }] }, payload: { id: 4 } };
    expect(changesOf([record({ n: 'a' }, key)], sinkConfig({ 'primary.key.mode': 'record_key' }))[0]!.rows).toEqual([{ n: 'a', id: 4 }]);
  });

  test('records of one table whose keys name different columns: the later one is errant', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key' });
    const error = errantOf([record({ n: 'a' }, { id: 1 }), record({ n: 'b' }, { code: 'x' })], config);
    expect(error.message).toEndWith('key columns code differ from the table\'s (id)');
  });

  test('none appends every row, repeats included, with no key columns', () => {
    const changes = changesOf([record({ id: 1, v: 'a' }), record(envelope('c', { id: 1, v: 'b' })), record({ id: 1, v: 'a' })], sinkConfig({ 'primary.key.mode': 'none' }));
    expect(changes).toEqual([{ table: 'dbserver1.inventory.customers', keyColumns: [], rows: [{ id: 1, v: 'a' }, { id: 1, v: 'b' }, { id: 1, v: 'a' }] }]);
  });

  test('none: a delete or a keyed tombstone is errant while delete.enabled, and skipped without it', () => {
    const config = sinkConfig({ 'primary.key.mode': 'none' });
    for (const value of [envelope('d', null, { id: 1 }), null]) {
      expect(errantOf([record(value, { id: 1 })], config).message).toContain('a delete cannot be applied with primary.key.mode=none');
    }
    const skipping = sinkConfig({ 'primary.key.mode': 'none', 'delete.enabled': false });
    expect(changesOf([record({ id: 1 }), record(envelope('d', null, { id: 1 }), { id: 1 }), record(null, { id: 1 })], skipping)[0]!.rows).toEqual([{ id: 1 }]);
  });

  test('none: a truncate drops the batch\'s earlier appends and empties the table', () => {
    const changes = changesOf([record({ id: 1 }), record({ op: 't', source }), record({ id: 2 })], sinkConfig({ 'primary.key.mode': 'none', 'truncate.enabled': true }));
    expect(changes).toEqual([{ table: 'dbserver1.inventory.customers', keyColumns: [], rows: [{ id: 2 }], truncate: true }]);
  });

  test('config: record_value needs primary.key.fields, none refuses them, record_key may go without', () => {
    const check = (config: Record<string, unknown>) => checkConnectorConfig({ 'connector.class': 'database-sink', topics: 't', ...config });
    expect(check({})).toEqual({ ok: false, issues: [{ path: 'primary.key.fields', message: 'is required when primary.key.mode is record_value' }] });
    expect(check({ 'primary.key.mode': 'none', 'primary.key.fields': 'id' })).toMatchObject({ ok: false, issues: [{ path: 'primary.key.fields' }] });
    expect(check({ 'primary.key.mode': 'record_key' }).ok).toBe(true);
    expect(check({ 'primary.key.mode': 'none' }).ok).toBe(true);
    expect(check({ 'primary.key.mode': 'upsert', 'primary.key.fields': 'id' })).toMatchObject({ ok: false, issues: [{ path: 'primary.key.mode' }] });
  });
});

describe('table.name.format and topic.prefix.strip', () => {
  test('a stripped topic prefix names the table; topics without the prefix keep their name', () => {
    const config = sinkConfig({ topics: 'dbserver1.inventory.customers,orders', 'primary.key.fields': 'id', 'topic.prefix.strip': 'dbserver1.inventory.' });
    const changes = changesOf([record({ id: 1 }), record({ id: 2 }, null, 'orders')], config);
    expect(changes.map((c) => c.table)).toEqual(['customers', 'orders']);
  });

  test('${source.*} placeholders route by the Debezium source block, so one topic can feed many tables', () => {
    const config = sinkConfig({ 'primary.key.fields': 'id', 'table.name.format': '${source.schema}_${source.table}', 'table.include.list': 'public_customers,public_orders' });
    const other = { ...source, table: 'orders' };
    const changes = changesOf([record(envelope('c', { id: 1 })), record(envelope('c', { id: 9 }, null, other)), record(null, { id: 1 })], config);
    // The tombstone has no source block to route by: the delete event before it does the delete.
    expect(changes.map((c) => [c.table, c.rows])).toEqual([
      ['public_customers', [{ id: 1 }]],
      ['public_orders', [{ id: 9 }]],
    ]);
  });

  test('a record without the source field the format needs is errant', () => {
    const config = sinkConfig({ 'primary.key.fields': 'id', 'table.name.format': '${source.table}' });
    expect(errantOf([record({ id: 1 })], config).message).toContain('needs a Debezium source block');
  });

  test('tableName fills every placeholder; an unknown placeholder is a config error', () => {
    expect(tableName('${topic}_${topic}_v1', 'a.b', { stripPrefixes: ['x.', 'a.'] })).toBe('b_b_v1');
    expect(tableName('${source.db}.${source.table}', 't', { source: { db: 'd', table: 'x' } })).toBe('d.x');
    expect(tableName('${source.schema}', 't', { source: { table: 'x' } })).toBeUndefined();
    const check = checkConnectorConfig({ 'connector.class': 'database-sink', topics: 't', 'primary.key.fields': 'id', 'table.name.format': '${table}' });
    expect(check).toMatchObject({ ok: false, issues: [{ path: 'table.name.format' }] });
  });
});

describe('Debezium schema types', () => {
  const fields = [
    { field: 'id', type: 'int32', optional: false },
    { field: 'tiny', type: 'int8', optional: true },
    { field: 'big', type: 'int64', optional: true },
    { field: 'ratio', type: 'float32', optional: true },
    { field: 'score', type: 'float64', optional: true },
    { field: 'active', type: 'boolean', optional: true },
    { field: 'name', type: 'string', optional: true },
    { field: 'photo', type: 'bytes', optional: true },
    { field: 'tags', type: 'array', items: { type: 'string' }, optional: true },
    { field: 'created', type: 'int64', name: 'io.debezium.time.Timestamp', optional: true },
    { field: 'updated', type: 'int64', name: 'io.debezium.time.MicroTimestamp', optional: true },
    { field: 'seen', type: 'string', name: 'io.debezium.time.ZonedTimestamp', optional: true },
    { field: 'born', type: 'int32', name: 'io.debezium.time.Date', optional: true },
    { field: 'opens', type: 'int64', name: 'io.debezium.time.MicroTime', optional: true },
    { field: 'price', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' }, optional: true },
    { field: 'doc', type: 'string', name: 'io.debezium.data.Json', optional: true },
    { field: 'never', type: 'string', optional: true },
  ];
  const rowSchema = { type: 'struct', name: 'dbserver1.inventory.customers.Value', optional: true, fields };
  const schema = { type: 'struct', name: 'dbserver1.inventory.customers.Envelope', fields: [{ ...rowSchema, field: 'before' }, { ...rowSchema, field: 'after' }, { field: 'op', type: 'string' }] };
  const after = {
    id: 1,
    tiny: 3,
    big: 9_007_199_254_740_991,
    ratio: 0.5,
    score: 2.25,
    active: true,
    name: 'Ada',
    photo: btoa('\x00\x01\xff'),
    tags: ['a'],
    created: Date.UTC(2024, 1, 29, 13, 14, 15, 678),
    updated: Date.UTC(2024, 1, 29, 13, 14, 15, 678) * 1000 + 901,
    seen: '2024-02-29T13:14:15.678901Z',
    born: 19_782,
    opens: (9 * 3600 + 30 * 60) * 1_000_000 + 250,
    price: btoa(String.fromCharCode(0x30, 0x39)), // 12345 unscaled
    doc: '{"a":[1,2]}',
    never: null,
  };

  test('a {schema, payload} envelope types every column of its after schema, null-only fields included', () => {
    const [change] = changesOf([record({ schema, payload: envelope('c', after) }, { id: 1 })], sinkConfig({ 'primary.key.fields': 'id' }));
    expect(Object.fromEntries(change!.columnTypes!)).toEqual({
      id: 'int32',
      tiny: 'int16',
      big: 'integer',
      ratio: 'float32',
      score: 'real',
      active: 'boolean',
      name: 'text',
      photo: 'bytes',
      tags: 'json',
      created: 'timestamp',
      updated: 'timestamp',
      seen: 'timestamptz',
      born: 'date',
      opens: 'time',
      price: 'decimal',
      doc: 'json',
      never: 'text',
    });
  });

  test('logical-type values become the text forms date, time and numeric columns take', () => {
    const [change] = changesOf([record({ schema, payload: envelope('c', after) }, { id: 1 })], sinkConfig({ 'primary.key.fields': 'id' }));
    const row = change!.rows[0]!;
    expect(row).toMatchObject({
      created: '2024-02-29 13:14:15.678',
      updated: '2024-02-29 13:14:15.678901',
      seen: '2024-02-29T13:14:15.678901Z',
      born: '2024-02-29',
      opens: '09:30:00.000250',
      price: '123.45',
      doc: { a: [1, 2] },
      tags: ['a'],
      never: null,
    });
    expect([...(row.photo as Uint8Array)]).toEqual([0, 1, 255]);
  });

  test('a row-level {schema, payload} (no envelope) is typed by its own struct', () => {
    const [change] = changesOf([record({ schema: rowSchema, payload: after })], sinkConfig({ 'primary.key.fields': 'id' }));
    expect(change!.columnTypes!.get('born')).toBe('date');
    expect(change!.rows[0]!.born).toBe('2024-02-29');
  });

  test('records without a schema carry no column types: the store infers them from values', () => {
    expect(changesOf([record({ id: 1 })], sinkConfig({ 'primary.key.fields': 'id' }))[0]!.columnTypes).toBeUndefined();
  });

  test('Connect decimals decode negative, zero-scale and padded values', () => {
    expect(decimalText(btoa('\xff\x85'), 2)).toBe('-1.23');
    expect(decimalText(btoa('\x07'), 3)).toBe('0.007');
    expect(decimalText(btoa('\x0c'), 0)).toBe('12');
    expect(fieldColumn({ type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' }).convert({ scale: 1, value: btoa('\x7b') })).toBe('12.3');
  });
});
