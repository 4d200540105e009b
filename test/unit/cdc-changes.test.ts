import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { DatabaseSinkConfigSchema, type DatabaseSinkConfig } from '../../src/config/index.ts';
import type { SinkRecord } from '../../src/records/index.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { changesOf, errantOf } from '../support/planned.ts';

function sinkConfig(config: Record<string, unknown> = {}): DatabaseSinkConfig {
  return v.parse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 'customers', 'primary.key.fields': 'id', ...config });
}

let nextOffset = 0;
/** A record as the debezium source writes it: key `{"id":…}`, value the envelope (null: tombstone). */
function record(value: unknown, key: string | null, options: { topic?: string; wrap?: boolean } = {}): SinkRecord {
  const payload = options.wrap ? { schema: { type: 'struct' }, payload: value } : value;
  return toSinkRecord({
    topic: options.topic ?? 'customers',
    partition: 0,
    offset: nextOffset++,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(JSON.stringify(payload)),
    headers: {},
  });
}

const source = { db: 'src', schema: 'public', table: 'customers', lsn: 1 };
const upsert = (op: 'c' | 'u' | 'r', row: Record<string, unknown>) => record({ before: null, after: row, source, op }, JSON.stringify({ id: row.id }));
const remove = (id: unknown, before: Record<string, unknown> | null = { id }) => record({ before, after: null, source, op: 'd' }, JSON.stringify({ id }));
const tombstone = (id: unknown) => record(null, JSON.stringify({ id }));
const truncate = () => record({ source, op: 't' }, null);

describe('toChanges on Debezium envelopes', () => {
  test('c, r and u upsert their after row; d deletes the key from before', () => {
    const changes = changesOf([upsert('r', { id: 1, n: 'a' }), upsert('c', { id: 2, n: 'b' }), upsert('u', { id: 1, n: 'a2' }), remove(3)], sinkConfig());
    expect(changes).toEqual([{ table: 'customers', keyColumns: ['id'], rows: [{ id: 2, n: 'b' }, { id: 1, n: 'a2' }], deletes: [{ id: 3 }] }]);
  });

  test('a delete after an upsert of the same key in one batch wins', () => {
    const changes = changesOf([upsert('c', { id: 1, n: 'a' }), upsert('u', { id: 1, n: 'b' }), remove(1), tombstone(1)], sinkConfig());
    expect(changes[0]!.rows).toEqual([]);
    expect(changes[0]!.deletes).toEqual([{ id: 1 }]);
  });

  test('an upsert after a delete of the same key in one batch wins', () => {
    const changes = changesOf([upsert('c', { id: 1, n: 'a' }), remove(1), tombstone(1), upsert('c', { id: 1, n: 'again' })], sinkConfig());
    expect(changes[0]!.rows).toEqual([{ id: 1, n: 'again' }]);
    expect(changes[0]!.deletes).toBeUndefined();
  });

  test('keys of other rows are untouched by a delete: order is kept per key only', () => {
    const changes = changesOf([remove(1), upsert('c', { id: 2 }), upsert('c', { id: 1 }), remove(2)], sinkConfig());
    expect(changes[0]).toMatchObject({ rows: [{ id: 1 }], deletes: [{ id: 2 }] });
  });

  test('a tombstone deletes by the Kafka key: a JSON object key, or the key text for one key column', () => {
    expect(changesOf([tombstone(5)], sinkConfig())[0]!.deletes).toEqual([{ id: 5 }]);
    const plain = record(null, 'o-1');
    expect(changesOf([plain], sinkConfig())[0]!.deletes).toEqual([{ id: 'o-1' }]);
    const composite = record(null, JSON.stringify({ tenant: 't', id: 2 }));
    expect(changesOf([composite], sinkConfig({ 'primary.key.fields': 'tenant,id' }))[0]!.deletes).toEqual([{ tenant: 't', id: 2 }]);
  });

  test('a delete whose before lacks the key (REPLICA IDENTITY NOTHING) falls back to the Kafka key', () => {
    expect(changesOf([remove(9, null)], sinkConfig())[0]!.deletes).toEqual([{ id: 9 }]);
  });

  test('delete.enabled=false skips deletes and tombstones', () => {
    const changes = changesOf([upsert('c', { id: 1 }), remove(1), tombstone(1), remove(2)], sinkConfig({ 'delete.enabled': 'false' }));
    expect(changes).toEqual([{ table: 'customers', keyColumns: ['id'], rows: [{ id: 1 }] }]);
  });

  test('a truncate is skipped unless truncate.enabled', () => {
    expect(changesOf([upsert('c', { id: 1 }), truncate()], sinkConfig())).toEqual([{ table: 'customers', keyColumns: ['id'], rows: [{ id: 1 }] }]);
  });

  test('with truncate.enabled a truncate drops the batch\'s earlier changes and empties the table first', () => {
    const changes = changesOf([upsert('c', { id: 1 }), remove(2), truncate(), upsert('c', { id: 3 }), remove(4)], sinkConfig({ 'truncate.enabled': true }));
    expect(changes).toEqual([{ table: 'customers', keyColumns: ['id'], rows: [{ id: 3 }], deletes: [{ id: 4 }], truncate: true }]);
  });

  test('envelopes wrapped as {schema, payload} are read the same', () => {
    const row = { id: 1, n: 'a' };
    const changes = changesOf([record({ before: null, after: row, source, op: 'c' }, '{"id":1}', { wrap: true })], sinkConfig());
    expect(changes[0]!.rows).toEqual([row]);
  });

  test('plain JSON rows are still upserts beside envelopes', () => {
    const changes = changesOf([record({ id: 1, op: 'c' }, null), upsert('c', { id: 2 })], sinkConfig());
    expect(changes[0]!.rows).toEqual([{ id: 1, op: 'c' }, { id: 2 }]);
  });

  test('record_key mode takes the key column from a JSON object key', () => {
    const changes = changesOf([upsert('c', { id: 1, n: 'a' }), remove(2)], sinkConfig({ 'primary.key.mode': 'record_key' }));
    expect(changes[0]).toMatchObject({ rows: [{ id: 1, n: 'a' }], deletes: [{ id: 2 }] });
  });

  test('an upsert event without an after row is errant', () => {
    const event = record({ before: null, after: null, source, op: 'u' }, '{"id":1}');
    expect(errantOf([event], sinkConfig()).message).toEndWith('change event (op u) has no "after" row');
  });

  test('a tombstone whose key holds none of several key fields is errant', () => {
    expect(errantOf([record(null, 'x')], sinkConfig({ 'primary.key.fields': 'tenant,id' })).message).toEndWith('key x does not hold the key fields tenant, id');
  });
});
