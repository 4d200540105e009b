import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { checkConnectorConfig, DatabaseSinkConfigSchema, type DatabaseSinkConfig } from '../../src/config/index.ts';
import type { SinkRecord } from '../../src/records/index.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { changesOf, errantOf } from '../support/planned.ts';

const POSTGRES = { maxIdentifierBytes: 63 };

function sinkConfig(config: Record<string, unknown> = {}): DatabaseSinkConfig {
  return v.parse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 'cdc', 'primary.key.fields': 'id', ...config });
}

let nextOffset = 0;
function record(value: unknown, { key = null as unknown, topic = 'cdc' } = {}): SinkRecord {
  return toSinkRecord({
    topic,
    partition: 0,
    offset: nextOffset++,
    key: key === null ? null : Buffer.from(JSON.stringify(key)),
    value: value === null ? null : Buffer.from(JSON.stringify(value)),
    headers: {},
  });
}

const change = (table: string, op: string, row: Record<string, unknown> | null, before: Record<string, unknown> | null = null) => ({
  before,
  after: row,
  op,
  source: { db: 'shop', schema: 'public', table, lsn: 1 },
});

const routed = (config: Record<string, unknown> = {}) =>
  sinkConfig({ 'table.name.format': '${source.table}', 'table.include.list': 'customers,orders_[a-z]+', 'truncate.enabled': true, ...config });

describe('where a record may go', () => {
  test('Inlet\'s tables are never a target: not by upsert, delete or truncate, in any letter case, whatever the format', () => {
    const config = routed({ 'table.include.list': '.*' });
    for (const value of [
      change('inlet_sink_offsets', 'c', { id: 1, connector: 'x' }),
      change('inlet_sink_offsets', 'd', null, { id: 1 }),
      change('inlet_sink_offsets', 't', null),
      change('INLET_Sink_Offsets', 't', null),
      change('__drizzle_migrations', 't', null),
    ]) {
      expect(errantOf([record(value)], config).message).toEndWith(`table "${value.source.table}" belongs to Inlet and is never a sink's target`);
    }
    // The topic (after RegexRouter, say) names the table: the same rule holds without any list.
    const byTopic = sinkConfig({ topics: 'inlet_sink_offsets' });
    expect(errantOf([record({ id: 1 }, { topic: 'inlet_sink_offsets' })], byTopic).message).toContain('belongs to Inlet');
  });

  test('the database\'s own catalogs are never a target either', () => {
    const config = routed({ 'table.include.list': '.*' });
    expect(errantOf([record(change('pg_authid', 't', null))], config).message).toEndWith('table "pg_authid" belongs to the database and is never a sink\'s target');
    expect(errantOf([record(change('sqlite_sequence', 'd', null, { id: 1 }))], config).message).toContain('belongs to the database');
  });

  test('with ${source.*} only tables in table.include.list are written, by exact name or whole-name regex', () => {
    const config = routed();
    const changes = changesOf([record(change('customers', 'c', { id: 1 })), record(change('orders_eu', 'c', { id: 2 }))], config);
    expect(changes.map((c) => c.table)).toEqual(['customers', 'orders_eu']);
    for (const table of ['secrets', 'customers_copy', 'orders_', 'orders_EU']) {
      const error = errantOf([record(change(table, 'c', { id: 1 }))], config);
      expect(error.message).toEndWith(`table "${table}" is not in table.include.list`);
    }
    // A parsed config without the list (the config check refuses it) admits nothing.
    expect(errantOf([record(change('customers', 'c', { id: 1 }))], routed({ 'table.include.list': '' })).message).toContain('not in table.include.list');
  });

  test('a list also bounds a ${topic} connector; without one, topics name their tables as before', () => {
    expect(changesOf([record({ id: 1 }, { topic: 'orders' })], sinkConfig())[0]!.table).toBe('orders');
    const listed = sinkConfig({ 'table.include.list': 'orders' });
    expect(errantOf([record({ id: 1 }, { topic: 'refunds' })], listed).message).toContain('table "refunds" is not in table.include.list');
  });
});

describe('names and widths the database can keep', () => {
  test('a field name over the database\'s limit is errant naming it, measured in UTF-8 bytes, not characters', () => {
    const config = routed();
    const fits = 'é'.repeat(31) + 'x'; // 63 bytes
    const tooLong = 'é'.repeat(32); // 32 characters, 64 bytes
    expect(changesOf([record(change('customers', 'c', { id: 1, [fits]: 1 }))], config, POSTGRES)[0]!.rows).toEqual([{ id: 1, [fits]: 1 }]);
    const error = errantOf([record(change('customers', 'c', { id: 1, [tooLong]: 1 }))], config, POSTGRES);
    expect(error.message).toEndWith(`field "${tooLong}" is 64 bytes, longer than the 63 the database keeps in a column name`);
    // SQLite keeps any length.
    expect(changesOf([record(change('customers', 'c', { id: 1, [tooLong]: 1 }))], config)[0]!.rows).toEqual([{ id: 1, [tooLong]: 1 }]);
  });

  test('key fields of a delete, fields only a schema declares, and the table name are held to the limit too', () => {
    const long = 'k'.repeat(64);
    const byKey = sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': '' });
    expect(errantOf([record(null, { key: { [long]: 1 } })], byKey, POSTGRES).message).toContain(`field "${long}" is 64 bytes`);
    const schema = { type: 'struct', fields: [{ field: 'id', type: 'int32' }, { field: long, type: 'string', optional: true }] };
    expect(errantOf([record({ schema, payload: { id: 1 } })], sinkConfig(), POSTGRES).message).toContain(`field "${long}"`);
    const topic = `t${'x'.repeat(63)}`;
    expect(errantOf([record({ id: 1 }, { topic })], sinkConfig(), POSTGRES).message).toEndWith(`table name "${topic}" is 64 bytes, longer than the 63 the database keeps`);
    expect(errantOf([record({ id: 1, '': 2 })], sinkConfig()).message).toContain('field "" cannot name a column');
  });

  test('a record with more fields than table.max.columns is errant naming the first field past the cap', () => {
    const config = routed({ 'table.max.columns': 3 });
    expect(changesOf([record(change('customers', 'c', { id: 1, a: 1, b: 2 }))], config)[0]!.rows).toHaveLength(1);
    const error = errantOf([record(change('customers', 'c', { id: 1, a: 1, b: 2, c: 3 }))], config);
    expect(error.message).toEndWith('field "c" would be column 4 of table "customers", past table.max.columns (3)');
  });
});

describe('table.include.list in the config', () => {
  const check = (config: Record<string, unknown>) =>
    checkConnectorConfig({ 'connector.class': 'database-sink', topics: 'cdc', 'primary.key.fields': 'id', ...config });

  test('${source.*} in table.name.format without table.include.list is refused, naming the key', () => {
    const refused = check({ 'table.name.format': 'cdc_${source.table}' });
    expect(refused).toMatchObject({ ok: false, issues: [{ path: 'table.include.list' }] });
    expect(check({ 'table.name.format': 'cdc_${source.table}', 'table.include.list': 'cdc_customers' }).ok).toBe(true);
    expect(check({ 'table.name.format': '${topic}' }).ok).toBe(true);
  });

  test('an entry that is not a regular expression is refused, naming it; table.max.columns must be positive', () => {
    const refused = check({ 'table.include.list': 'orders,orders_(' });
    expect(refused).toMatchObject({ ok: false, issues: [{ path: 'table.include.list' }] });
    expect(JSON.stringify(refused)).toContain('\\"orders_(\\" is not a valid regular expression');
    expect(check({ 'table.max.columns': 0 })).toMatchObject({ ok: false, issues: [{ path: 'table.max.columns' }] });
  });
});
