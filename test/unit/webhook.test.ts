import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { WebhookSourceConfigSchema } from '../../src/config/index.ts';
import type { ToRecordsResult } from '../../src/source/types.ts';
import { SOURCE_HEADERS } from '../../src/source/headers.ts';
import { parseBody } from '../../src/source/body.ts';
import { createWebhookSource } from '../../src/source/webhook.ts';
import { recordsOf } from '../support/source.ts';

/** Builds the connector from config the way the worker does: through the config schema. */
function webhook(name: string, config: Record<string, unknown>) {
  return createWebhookSource(name, v.parse(WebhookSourceConfigSchema, { 'connector.class': 'webhook', topic: name, ...config }));
}

function request(headers: Record<string, string> = {}) {
  return { headers: new Headers(headers) };
}

function issuesOf(result: ToRecordsResult) {
  if (result.ok) throw new Error(`expected issues, got ${result.records.length} records`);
  return result.issues;
}

describe('createWebhookSource', () => {
  test("a record's value is the sender's JSON text when the body gives it, so integers past 2^53 stay exact", () => {
    const source = webhook('orders', { 'key.field': 'id' });
    const parsed = parseBody('[{"id": 12345678901234567890, "n": 1.10}, {"id": 2}]', 'application/json');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const records = recordsOf(source.toRecords(parsed.items, { headers: new Headers(), texts: parsed.texts }));
    expect(records.map((r) => r.value)).toEqual(['{"id": 12345678901234567890, "n": 1.10}', '{"id": 2}']);
    // The key comes from the parsed item, which keeps the integer exact too.
    expect(records[0]!.key).toBe('12345678901234567890');
  });

  test('exposes its topic, body limit and dedupe window from config', () => {
    const source = webhook('orders', { 'max.body.bytes': '1024', 'dedupe.window.ms': 5000, 'dedupe.max.entries': '10' });
    expect(source.name).toBe('orders');
    expect(source.topics).toEqual(['orders']);
    expect(source.maxBodyBytes).toBe(1024);
    expect(source.dedupe).toEqual({ windowMs: 5000, maxEntries: 10 });
  });

  test('key, offset and partition fields become the Kafka key, source offset and source partition', () => {
    const source = webhook('orders', { 'key.field': 'id', 'offset.field': 'event_id', 'partition.field': 'region' });
    const item = { id: 7, event_id: 'evt_1', region: 'eu', amount: 3.5, nested: { a: [1] } };
    const [record] = recordsOf(source.toRecords([item], request()));
    expect(record).toEqual({
      topic: 'orders',
      key: '7',
      value: JSON.stringify(item),
      sourcePartition: 'orders/eu',
      sourceOffset: 'evt_1',
      headers: {
        'inlet.connector': 'orders',
        'inlet.source.partition': 'orders/eu',
        'inlet.source.offset': 'evt_1',
        'inlet.auth': 'none',
      },
    });
    expect(JSON.parse(record!.value!)).toEqual(item);
  });

  test('source headers are named inlet.*', () => {
    expect(SOURCE_HEADERS).toEqual({
      connector: 'inlet.connector',
      partition: 'inlet.source.partition',
      offset: 'inlet.source.offset',
      auth: 'inlet.auth',
    });
  });

  test('each record carries inlet.auth, the scheme its auth.type checked the push with: hmac, token or none', () => {
    const schemes = Object.fromEntries(
      (
        [
          ['hmac-sha256', { 'auth.secrets': 'k' }],
          ['bearer', { 'auth.tokens': 't' }],
          ['none', {}],
        ] as const
      ).map(([type, keys]) => {
        const records = recordsOf(webhook('signed', { 'auth.type': type, ...keys }).toRecords([{ a: 1 }, { a: 2 }], request()));
        return [type, records.map((r) => r.headers[SOURCE_HEADERS.auth])];
      }),
    );
    expect(schemes).toEqual({ 'hmac-sha256': ['hmac', 'hmac'], bearer: ['token', 'token'], none: ['none', 'none'] });
  });

  test('numeric offsets and partitions are carried as strings', () => {
    const source = webhook('events', { 'offset.field': 'seq', 'partition.field': 'shard' });
    const [record] = recordsOf(source.toRecords([{ seq: 42, shard: 3 }], request()));
    expect(record!.sourceOffset).toBe('42');
    expect(record!.sourcePartition).toBe('events/3');
  });

  test('without key, offset or partition fields a record has a null key, no offset and the connector as partition', () => {
    const source = webhook('plain', {});
    const [record] = recordsOf(source.toRecords([{ a: 1 }], request()));
    expect(record!.key).toBeNull();
    expect(record!.sourceOffset).toBeNull();
    expect(record!.sourcePartition).toBe('plain');
    expect(record!.headers).toEqual({ 'inlet.connector': 'plain', 'inlet.source.partition': 'plain', 'inlet.auth': 'none' });
  });

  test('an Idempotency-Key header is the offset of a single-record push', () => {
    const source = webhook('plain', {});
    const [record] = recordsOf(source.toRecords([{ a: 1 }], request({ 'Idempotency-Key': 'req-123' })));
    expect(record!.sourceOffset).toBe('req-123');
    expect(record!.headers[SOURCE_HEADERS.offset]).toBe('req-123');
  });

  test('in a batch the Idempotency-Key header is suffixed with each record index', () => {
    const source = webhook('plain', {});
    const records = recordsOf(source.toRecords([{ a: 1 }, { a: 2 }, { a: 3 }], request({ 'idempotency-key': 'req-123' })));
    expect(records.map((r) => r.sourceOffset)).toEqual(['req-123#0', 'req-123#1', 'req-123#2']);
    expect(records.map((r) => r.headers[SOURCE_HEADERS.offset])).toEqual(['req-123#0', 'req-123#1', 'req-123#2']);
  });

  test('an offset field takes precedence over the Idempotency-Key header', () => {
    const source = webhook('orders', { 'offset.field': 'event_id' });
    const records = recordsOf(source.toRecords([{ event_id: 'e1' }, { event_id: 'e2' }], request({ 'Idempotency-Key': 'req-1' })));
    expect(records.map((r) => r.sourceOffset)).toEqual(['e1', 'e2']);
  });

  test('a missing key field is reported as required, naming the record index and field', () => {
    const source = webhook('orders', { 'key.field': 'id' });
    const issues = issuesOf(source.toRecords([{ id: 1 }, { name: 'no id' }], request()));
    expect(issues).toEqual([{ index: 1, path: 'id', message: 'is required' }]);
  });

  test('a non-object item is reported as not a JSON object, with an empty path', () => {
    const source = webhook('orders', { 'key.field': 'id' });
    const issues = issuesOf(source.toRecords([{ id: 1 }, 'text', 42, null], request()));
    expect(issues).toEqual([
      { index: 1, path: '', message: 'must be a JSON object' },
      { index: 2, path: '', message: 'must be a JSON object' },
      { index: 3, path: '', message: 'must be a JSON object' },
    ]);
  });

  test('an object, boolean or empty-string key value is a type error on the key field', () => {
    const source = webhook('orders', { 'key.field': 'id' });
    const issues = issuesOf(source.toRecords([{ id: { nested: 1 } }, { id: true }, { id: '' }, { id: 'ok' }], request()));
    expect(issues).toEqual([
      { index: 0, path: 'id', message: 'must be a string or a number' },
      { index: 1, path: 'id', message: 'must be a string or a number' },
      { index: 2, path: 'id', message: 'must not be empty' },
    ]);
  });

  test('the offset and partition fields are validated like the key field', () => {
    const source = webhook('orders', { 'offset.field': 'event_id', 'partition.field': 'region' });
    const issues = issuesOf(source.toRecords([{ event_id: ['x'] }], request()));
    expect(issues).toEqual([
      { index: 0, path: 'event_id', message: 'must be a string or a number' },
      { index: 0, path: 'region', message: 'is required' },
    ]);
  });

  test('required.fields must be present and not null', () => {
    const source = webhook('orders', { 'required.fields': 'amount, currency' });
    const result = source.toRecords([{ amount: 1, currency: 'EUR' }, { amount: null, currency: 'EUR' }, { amount: 0 }], request());
    expect(issuesOf(result)).toEqual([
      { index: 1, path: 'amount', message: 'is required' },
      { index: 2, path: 'currency', message: 'is required' },
    ]);
    expect(recordsOf(source.toRecords([{ amount: 0, currency: '' }], request()))).toHaveLength(1);
  });

  test('one bad item fails the whole push: no records are returned', () => {
    const source = webhook('orders', { 'key.field': 'id' });
    const result = source.toRecords([{ id: 1 }, { id: 2 }, {}], request());
    expect(result.ok).toBe(false);
    expect('records' in result).toBe(false);
  });

  test('a large bad batch reports the issues of its first items only', () => {
    const source = webhook('orders', { 'key.field': 'id', 'required.fields': ['a', 'b', 'c'] });
    const issues = issuesOf(source.toRecords(Array.from({ length: 100 }, () => ({})), request()));
    expect(issues).toHaveLength(20);
    expect(Math.max(...issues.map((i) => i.index))).toBe(4);
  });

  test('an array item is rejected as not a JSON object instead of being rewritten as an object', () => {
    const source = webhook('plain', {});
    const result = source.toRecords([[1, 2]], request());
    expect(issuesOf(result)).toEqual([{ index: 0, path: '', message: 'must be a JSON object' }]);
  });

  test('with no field configured, any JSON object passes unchanged and anything else is refused', () => {
    const source = webhook('plain', {});
    expect(issuesOf(source.toRecords([{ a: 1 }, 'text', null, 7], request()))).toEqual([
      { index: 1, path: '', message: 'must be a JSON object' },
      { index: 2, path: '', message: 'must be a JSON object' },
      { index: 3, path: '', message: 'must be a JSON object' },
    ]);
    const result = source.toRecords([{ b: [1, { c: null }], a: 'x' }], request());
    expect(result.ok && result.records.map((r) => r.value)).toEqual(['{"b":[1,{"c":null}],"a":"x"}']);
  });
});
