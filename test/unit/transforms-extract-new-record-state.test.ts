import { describe, expect, test } from 'bun:test';
import type { SinkRecord } from '../../src/records/index.ts';
import { buildTransformChain } from '../../src/transforms/index.ts';

const source = {
  version: '2.7.0.Final',
  connector: 'postgresql',
  name: 'shop',
  ts_ms: 1714560000000,
  snapshot: 'false',
  db: 'shop',
  schema: 'public',
  table: 'customers',
  txId: 767,
  lsn: 23712016,
};

/** A Debezium change event for public.customers as the Postgres connector writes it. */
function change(op: 'c' | 'u' | 'd' | 'r' | 't', before: object | null, after: object | null, extra: object = {}) {
  return { before, after, source: { ...source, snapshot: op === 'r' ? 'true' : 'false' }, op, ts_ms: 1714560000123, transaction: null, ...extra };
}

function record(value: unknown, options: Partial<SinkRecord> = {}): SinkRecord {
  return { topic: 'shop.public.customers', partition: 0, offset: 7, timestamp: 1714560000200, key: { id: 1 }, value, headers: {}, ...options };
}

function unwrap(options: Record<string, string> = {}) {
  return buildTransformChain({
    transforms: 'unwrap',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    ...Object.fromEntries(Object.entries(options).map(([k, v]) => [`transforms.unwrap.${k}`, v])),
  });
}

const ada = { id: 1, name: 'Ada', email: 'ada@example.com' };
const adaNew = { ...ada, email: 'ada@lovelace.dev' };

describe('ExtractNewRecordState', () => {
  test('creates, snapshot reads and updates become their after row; key, topic and offset stay', () => {
    const chain = unwrap();
    for (const [op, before] of [['c', null], ['r', null], ['u', ada]] as const) {
      const out = chain.apply(record(change(op, before, adaNew)));
      expect(out).toEqual(record(adaNew));
    }
  });

  test('by default a delete becomes a tombstone for its key and Debezium\'s own tombstone is dropped', () => {
    const chain = unwrap();
    expect(chain.apply(record(change('d', ada, null)))).toEqual(record(null));
    expect(chain.apply(record(null))).toBeNull();
  });

  test('delete.tombstone.handling.mode=drop drops deletes and tombstones, keeps upserts', () => {
    const chain = unwrap({ 'delete.tombstone.handling.mode': 'drop' });
    expect(chain.apply(record(change('d', ada, null)))).toBeNull();
    expect(chain.apply(record(null))).toBeNull();
    expect(chain.apply(record(change('c', null, ada)))!.value).toEqual(ada);
  });

  test('rewrite turns a delete into its before row with __deleted "true", and marks other rows "false"', () => {
    const chain = unwrap({ 'delete.tombstone.handling.mode': 'rewrite' });
    expect(chain.apply(record(change('d', ada, null)))!.value).toEqual({ ...ada, __deleted: 'true' });
    expect(chain.apply(record(change('u', ada, adaNew)))!.value).toEqual({ ...adaNew, __deleted: 'false' });
    expect(chain.apply(record(null))).toBeNull();
  });

  test('rewrite-with-tombstone also keeps tombstones', () => {
    const chain = unwrap({ 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    expect(chain.apply(record(null))).toEqual(record(null));
    expect(chain.apply(record(change('d', ada, null)))!.value).toEqual({ ...ada, __deleted: 'true' });
  });

  test('the legacy keys: delete.handling.mode=none keeps a delete as a tombstone, drop.tombstones=false keeps tombstones', () => {
    const legacy = unwrap({ 'delete.handling.mode': 'none', 'drop.tombstones': 'false' });
    expect(legacy.apply(record(change('d', ada, null)))).toEqual(record(null));
    expect(legacy.apply(record(null))).toEqual(record(null));
    // Debezium's legacy defaults once any legacy key is set: deletes dropped, tombstones dropped.
    const legacyDefaults = unwrap({ 'drop.tombstones': 'true' });
    expect(legacyDefaults.apply(record(change('d', ada, null)))).toBeNull();
    const legacyRewrite = unwrap({ 'delete.handling.mode': 'rewrite' });
    expect(legacyRewrite.apply(record(change('d', ada, null)))!.value).toEqual({ ...ada, __deleted: 'true' });
  });

  test('delete.tombstone.handling.mode wins over the legacy keys', () => {
    const chain = unwrap({ 'delete.tombstone.handling.mode': 'drop', 'delete.handling.mode': 'none', 'drop.tombstones': 'false' });
    expect(chain.apply(record(change('d', ada, null)))).toBeNull();
    expect(chain.apply(record(null))).toBeNull();
  });

  test('a truncate event is dropped', () => {
    expect(unwrap().apply(record(change('t', null, null)))).toBeNull();
  });

  test('add.fields adds envelope, source and qualified fields with the prefix; a :name renames', () => {
    const chain = unwrap({ 'add.fields': 'op,table,lsn,source.ts_ms,ts_ms,id,db:database' });
    expect(chain.apply(record(change('u', ada, adaNew)))!.value).toEqual({
      ...adaNew,
      __op: 'u',
      __table: 'customers',
      __lsn: 23712016,
      __source_ts_ms: 1714560000000,
      __ts_ms: 1714560000123,
      // `id` is a transaction field; the snapshot-less event has transaction: null.
      __id: null,
      __database: 'shop',
    });
  });

  test('add.fields.prefix changes the prefix, and rewritten deletes get the fields too', () => {
    const chain = unwrap({ 'add.fields': 'op,table', 'add.fields.prefix': 'cdc_', 'delete.tombstone.handling.mode': 'rewrite' });
    expect(chain.apply(record(change('d', ada, null)))!.value).toEqual({ ...ada, cdc_op: 'd', cdc_table: 'customers', __deleted: 'true' });
  });

  test('add.headers adds string headers without touching the input record; a tombstone gets only op "d"', () => {
    const chain = unwrap({ 'add.headers': 'op,source.lsn,db', 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    const input = record(change('c', null, ada), { headers: { trace: 'abc' } });
    const out = chain.apply(input)!;
    expect(out.headers).toEqual({ trace: 'abc', __op: 'c', __source_lsn: '23712016', __db: 'shop' });
    expect(input.headers).toEqual({ trace: 'abc' });
    expect(chain.apply(record(null))!.headers).toEqual({ __op: 'd' });
  });

  test('route.by.field takes the topic from the row (before for deletes)', () => {
    const chain = unwrap({ 'route.by.field': 'region', 'delete.tombstone.handling.mode': 'rewrite' });
    expect(chain.apply(record(change('c', null, { id: 1, region: 'eu' })))!.topic).toBe('eu');
    expect(chain.apply(record(change('d', { id: 1, region: 'us' }, null)))!.topic).toBe('us');
  });

  test('a {schema, payload} wrapped envelope is unwrapped to the bare row', () => {
    const wrapped = { schema: { type: 'struct', name: 'shop.public.customers.Envelope' }, payload: change('c', null, ada) };
    expect(unwrap().apply(record(wrapped))!.value).toEqual(ada);
  });

  test('values that are not change events pass unchanged', () => {
    const chain = unwrap({ 'add.fields': 'op' });
    for (const value of [{ id: 1, op: 'c' }, { id: 1, op: 'x', source: {} }, 'text', 42, [1]]) {
      const input = record(value);
      expect(chain.apply(input)).toBe(input);
    }
  });

  test('a bad mode or add.fields entry is a config error naming the key', () => {
    expect(() => unwrap({ 'delete.tombstone.handling.mode': 'purge' })).toThrow(
      'transforms.unwrap.delete.tombstone.handling.mode: must be one of drop, tombstone, rewrite, rewrite-with-tombstone',
    );
    expect(() => unwrap({ 'add.fields': 'source.ts.ms' })).toThrow('transforms.unwrap.add.fields: has an invalid field "source.ts.ms"');
    expect(() => unwrap({ 'drop.tombstones': 'maybe' })).toThrow('transforms.unwrap.drop.tombstones:');
  });

  test('mode values are read as Debezium does: trimmed, ignoring case', () => {
    expect(unwrap({ 'delete.tombstone.handling.mode': ' REWRITE ' }).apply(record(change('d', ada, null)))!.value).toEqual({ ...ada, __deleted: 'true' });
  });
});
