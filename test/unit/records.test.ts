import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { DatabaseSinkConfigSchema, type DatabaseSinkConfig } from '../../src/config/index.ts';
import { tableName } from '../../src/sink/records.ts';
import type { SinkRecord } from '../../src/records/index.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { changesOf, errantOf } from '../support/planned.ts';
import { errant } from '../support/thrown.ts';

function sinkConfig(config: Record<string, unknown> = {}): DatabaseSinkConfig {
  return v.parse(DatabaseSinkConfigSchema, {
    'connector.class': 'database-sink',
    topics: 'orders',
    'primary.key.fields': 'id',
    ...config,
  });
}

let nextOffset = 0;
/** A record as the sink task hands it over: consumed from Kafka, then parsed (toSinkRecord). */
function record(value: unknown, options: { key?: string | null; topic?: string; partition?: number; offset?: number; raw?: string | null } = {}): SinkRecord {
  const raw = options.raw !== undefined ? options.raw : JSON.stringify(value);
  return toSinkRecord({
    topic: options.topic ?? 'orders',
    partition: options.partition ?? 0,
    offset: options.offset ?? nextOffset++,
    key: options.key == null ? null : Buffer.from(options.key, 'utf8'),
    value: raw === null ? null : Buffer.from(raw, 'utf8'),
    headers: {},
  });
}

describe('toChanges', () => {
  test('rows of one topic go to one table named by table.name.format, keyed by primary.key.fields', () => {
    const upserts = changesOf([record({ id: 1, v: 'a' }), record({ id: 2, v: 'b' })], sinkConfig({ 'table.name.format': 'kafka_${topic}' }));
    expect(upserts).toEqual([{ table: 'kafka_orders', keyColumns: ['id'], rows: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }] }]);
  });

  test('the latest row per key wins within a batch, placed where its key last appeared', () => {
    const upserts = changesOf(
      [record({ id: 1, v: 'first' }), record({ id: 2, v: 'only' }), record({ id: 1, v: 'second' }), record({ id: 1, v: 'latest' })],
      sinkConfig(),
    );
    expect(upserts).toHaveLength(1);
    expect(upserts[0]!.rows).toEqual([{ id: 2, v: 'only' }, { id: 1, v: 'latest' }]);
  });

  test('composite keys compare on every key field', () => {
    const upserts = changesOf(
      [record({ tenant: 'a', id: 1, v: 1 }), record({ tenant: 'b', id: 1, v: 2 }), record({ tenant: 'a', id: 1, v: 3 })],
      sinkConfig({ 'primary.key.fields': 'tenant,id' }),
    );
    expect(upserts[0]!.keyColumns).toEqual(['tenant', 'id']);
    expect(upserts[0]!.rows).toEqual([{ tenant: 'b', id: 1, v: 2 }, { tenant: 'a', id: 1, v: 3 }]);
  });

  test('tombstones (null values) are skipped when delete.enabled is off, and without a key always', () => {
    const upserts = changesOf([record({ id: 1 }), record(null, { raw: null, key: '1' })], sinkConfig({ 'delete.enabled': false }));
    expect(upserts[0]!.rows).toEqual([{ id: 1 }]);
    expect(changesOf([record(null, { raw: null })], sinkConfig())).toEqual([]);
  });

  test('records of several topics are split into one upsert set per table', () => {
    const upserts = changesOf(
      [record({ id: 1 }, { topic: 'orders' }), record({ id: 1 }, { topic: 'refunds' }), record({ id: 2 }, { topic: 'orders' })],
      sinkConfig({ topics: 'orders,refunds' }),
    );
    expect(upserts.map((u) => [u.table, u.rows.length])).toEqual([
      ['orders', 2],
      ['refunds', 1],
    ]);
  });

  test('a value that is not JSON is an errant record naming topic, partition and offset', () => {
    // Parsing (the converter) refuses it before toChanges sees it.
    const error = errant(() => record(null, { raw: '{not json', topic: 'orders', partition: 2, offset: 17 }));
    expect(error.message).toStartWith('orders/2@17: value is not JSON (');
    expect(error.record).toMatchObject({ topic: 'orders', partition: 2, offset: 17 });
  });

  test('a JSON value that is not an object is an errant record', () => {
    for (const raw of ['[1,2]', '"text"', '42']) {
      const error = errantOf([record(null, { raw, partition: 1, offset: 5 })], sinkConfig());
      expect(error.message).toBe('orders/1@5: value is not a JSON object');
    }
  });

  test('a JSON null value parses to a SinkRecord tombstone and deletes by its key', () => {
    expect(changesOf([record(null, { raw: 'null', key: '7' })], sinkConfig())[0]!.deletes).toEqual([{ id: 7 }]);
  });

  test('a missing, null or non-scalar key field is an errant record naming the field', () => {
    for (const value of [{ v: 1 }, { id: null }, { id: { nested: 1 } }, { id: [1] }]) {
      const error = errantOf([record(value, { partition: 0, offset: 9 })], sinkConfig());
      expect(error.message).toBe('orders/0@9: primary key field "id" is missing or not a scalar');
    }
  });

  test('an errant record fails the batch even after good records', () => {
    const error = errantOf([record({ id: 1 }), record({ v: 1 }, { offset: 101 })], sinkConfig());
    expect(error.record.offset).toBe(101);
  });

  test('record_key mode keys rows by the Kafka key, overriding a same-named value field', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': 'order_id' });
    const upserts = changesOf(
      [record({ v: 1 }, { key: 'k1' }), record({ order_id: 'ignored', v: 2 }, { key: 'k2' }), record({ v: 3 }, { key: 'k1' })],
      config,
    );
    expect(upserts).toEqual([
      { table: 'orders', keyColumns: ['order_id'], rows: [{ order_id: 'k2', v: 2 }, { order_id: 'k1', v: 3 }] },
    ]);
  });

  test('record_key mode with a scalar key fills the one named key field; several named fields make it errant', () => {
    const one = changesOf([record({ v: 1 }, { key: 'a' })], sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': 'k' }));
    expect(one[0]!.keyColumns).toEqual(['k']);
    expect(one[0]!.rows).toEqual([{ v: 1, k: 'a' }]);
    const config = sinkConfig({ 'primary.key.mode': 'record_key', 'primary.key.fields': 'k,other' });
    expect(errantOf([record({ v: 1 }, { key: 'a', offset: 3 })], config).message).toBe('orders/0@3: key a does not hold the key fields k, other');
  });

  test('record_key mode makes a record without a Kafka key errant', () => {
    const config = sinkConfig({ 'primary.key.mode': 'record_key' });
    const error = errantOf([record({ id: 1 }, { key: null, partition: 3, offset: 4 })], config);
    expect(error.message).toBe('orders/3@4: record has no key (primary.key.mode=record_key)');
  });

  test('a key sent once as a number and once as a string is one row, the latest', () => {
    const upserts = changesOf([record({ id: 1, v: 'a' }), record({ id: '1', v: 'b' })], sinkConfig());
    expect(upserts[0]!.rows).toHaveLength(1);
    expect(upserts[0]!.rows[0]).toMatchObject({ v: 'b' });
  });

  test('tableName substitutes every ${topic}', () => {
    expect(tableName('${topic}_${topic}_v1', 'orders')).toBe('orders_orders_v1');
    expect(tableName('fixed', 'orders')).toBe('fixed');
  });
});
