import { describe, expect, test } from 'bun:test';
import type { SinkRecord } from '../../src/records/index.ts';
import { buildTransformChain } from '../../src/transforms/index.ts';
import { errant } from '../support/thrown.ts';

function record(value: unknown, options: Partial<SinkRecord> = {}): SinkRecord {
  return { topic: 'orders', partition: 3, offset: 42, timestamp: 1714560000123, key: { id: 1 }, value, headers: {}, ...options };
}

function one(type: string, options: Record<string, unknown> = {}) {
  return buildTransformChain({
    transforms: 't',
    'transforms.t.type': type,
    ...Object.fromEntries(Object.entries(options).map(([k, v]) => [`transforms.t.${k}`, v])),
  });
}

const order = { id: 1, customer: 'ada', total: 12.5, internal_note: 'vip', created_at: 1714560000123 };

describe('ReplaceField', () => {
  test('exclude drops fields and renames rename what is left', () => {
    const chain = one('org.apache.kafka.connect.transforms.ReplaceField$Value', { exclude: 'internal_note', renames: 'customer:customer_name,total:amount' });
    expect(chain.apply(record(order))!.value).toEqual({ id: 1, customer_name: 'ada', amount: 12.5, created_at: 1714560000123 });
  });

  test('include keeps only the listed fields, and exclude wins over include', () => {
    const chain = one('ReplaceField$Value', { include: 'id,total,internal_note', exclude: 'internal_note' });
    expect(chain.apply(record(order))!.value).toEqual({ id: 1, total: 12.5 });
  });

  test("Connect's old names whitelist and blacklist are read", () => {
    expect(one('ReplaceField$Value', { whitelist: 'id' }).apply(record(order))!.value).toEqual({ id: 1 });
    expect(one('ReplaceField$Value', { blacklist: 'id,internal_note,created_at' }).apply(record(order))!.value).toEqual({ customer: 'ada', total: 12.5 });
  });

  test('$Key works on the key and leaves the value alone', () => {
    const chain = one('org.apache.kafka.connect.transforms.ReplaceField$Key', { renames: 'id:order_id' });
    const out = chain.apply(record(order, { key: { id: 1 } }))!;
    expect(out.key).toEqual({ order_id: 1 });
    expect(out.value).toEqual(order);
  });

  test('a tombstone passes unchanged; a value that is not an object is errant', () => {
    const chain = one('ReplaceField$Value', { exclude: 'x' });
    expect(chain.apply(record(null))).toEqual(record(null));
    const error = errant(() => chain.apply(record('text', { offset: 9 })));
    expect(error.message).toBe('orders/3@9: transform "t" (ReplaceField$Value) failed: ReplaceField needs the record value to be a JSON object, found a string');
  });

  test('a rename that is not old:new is a config error naming the key', () => {
    expect(() => one('ReplaceField$Value', { renames: 'a:b,c' })).toThrow('transforms.t.renames: has an invalid rename mapping "c" (expected old:new)');
  });
});

describe('InsertField', () => {
  test('adds topic, partition, offset, timestamp and a static value; ! and ? suffixes are accepted', () => {
    const chain = one('org.apache.kafka.connect.transforms.InsertField$Value', {
      'topic.field': 'kafka_topic!',
      'partition.field': 'kafka_partition?',
      'offset.field': 'kafka_offset',
      'timestamp.field': 'kafka_ts',
      'static.field': 'origin',
      'static.value': 'shop-eu',
    });
    expect(chain.apply(record({ id: 1 }))!.value).toEqual({
      id: 1,
      kafka_topic: 'orders',
      kafka_partition: 3,
      kafka_offset: 42,
      kafka_ts: 1714560000123,
      origin: 'shop-eu',
    });
  });

  test('the input record is not changed, and a static field without a value is not inserted', () => {
    const input = record({ id: 1 });
    const out = one('InsertField$Value', { 'topic.field': 'topic', 'static.field': 'origin' }).apply(input)!;
    expect(out.value).toEqual({ id: 1, topic: 'orders' });
    expect(input.value).toEqual({ id: 1 });
  });

  test('tombstones pass unchanged; a non-object value is errant', () => {
    const chain = one('InsertField$Value', { 'topic.field': 'topic' });
    expect(chain.apply(record(null))).toEqual(record(null));
    expect(errant(() => chain.apply(record([1, 2]))).message).toContain('InsertField needs the record value to be a JSON object, found an array');
  });
});

describe('TimestampConverter', () => {
  const convert = (options: Record<string, unknown>, value: unknown) =>
    one('org.apache.kafka.connect.transforms.TimestampConverter$Value', { field: 'at', ...options }).apply(record({ id: 1, at: value }))!.value;

  test('unix milliseconds to a formatted string, in UTC', () => {
    expect(convert({ 'target.type': 'string', format: "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" }, 1714560000123)).toEqual({ id: 1, at: '2024-05-01T10:40:00.123Z' });
    expect(convert({ 'target.type': 'string', format: 'dd/MM/yy HH:mm' }, 1714560000123)).toEqual({ id: 1, at: '01/05/24 10:40' });
    expect(convert({ 'target.type': 'string', format: 'd MMM yyyy' }, 1714560000123)).toEqual({ id: 1, at: '1 May 2024' });
  });

  test('a formatted string to unix, honouring unix.precision and an offset in the text', () => {
    const format = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    expect(convert({ 'target.type': 'unix', format }, '2024-05-01T12:40:00.123+02:00')).toEqual({ id: 1, at: 1714560000123 });
    expect(convert({ 'target.type': 'unix', format, 'unix.precision': 'seconds' }, '2024-05-01T10:40:00.999Z')).toEqual({ id: 1, at: 1714560000 });
    expect(convert({ 'target.type': 'unix', format, 'unix.precision': 'microseconds' }, '2024-05-01T10:40:00.123Z')).toEqual({ id: 1, at: 1714560000123000 });
    expect(convert({ 'target.type': 'unix', format: 'yyyyMMddHHmmss' }, '20240501104000')).toEqual({ id: 1, at: 1714560000000 });
  });

  test('unix input in seconds, microseconds and nanoseconds', () => {
    expect(convert({ 'target.type': 'Timestamp', 'unix.precision': 'seconds' }, 1714560000)).toEqual({ id: 1, at: '2024-05-01T10:40:00.000Z' });
    expect(convert({ 'target.type': 'Timestamp', 'unix.precision': 'microseconds' }, 1714560000123456)).toEqual({ id: 1, at: '2024-05-01T10:40:00.123Z' });
    expect(convert({ 'target.type': 'unix', 'unix.precision': 'nanoseconds' }, 1714560000123000000)).toEqual({ id: 1, at: 1714560000123000000 });
  });

  test('Timestamp, Date and Time are ISO-8601 text; ISO text is read back without a format', () => {
    expect(convert({ 'target.type': 'Timestamp' }, 1714560000123)).toEqual({ id: 1, at: '2024-05-01T10:40:00.123Z' });
    expect(convert({ 'target.type': 'Date' }, 1714560000123)).toEqual({ id: 1, at: '2024-05-01' });
    expect(convert({ 'target.type': 'Time' }, 1714560000123)).toEqual({ id: 1, at: '10:40:00.123' });
    expect(convert({ 'target.type': 'unix' }, '2024-05-01T10:40:00.123Z')).toEqual({ id: 1, at: 1714560000123 });
    expect(convert({ 'target.type': 'unix' }, '2024-05-01 12:40:00.123+02:00')).toEqual({ id: 1, at: 1714560000123 });
    expect(convert({ 'target.type': 'unix' }, '2024-05-01')).toEqual({ id: 1, at: 1714521600000 });
  });

  test('without field the whole value is converted; null and missing fields stay', () => {
    const whole = one('TimestampConverter$Value', { 'target.type': 'Date' });
    expect(whole.apply(record(1714560000123))!.value).toBe('2024-05-01');
    expect(whole.apply(record(null))!.value).toBeNull();
    expect(convert({ 'target.type': 'Date' }, null)).toEqual({ id: 1, at: null });
    const missing = one('TimestampConverter$Value', { field: 'at', 'target.type': 'Date' }).apply(record({ id: 1 }))!;
    expect(missing.value).toEqual({ id: 1 });
  });

  test('text that does not match the format is errant, naming the field', () => {
    const chain = one('TimestampConverter$Value', { field: 'at', 'target.type': 'unix', format: 'yyyy-MM-dd' });
    expect(errant(() => chain.apply(record({ at: 'yesterday' }))).message).toBe(
      'orders/3@42: transform "t" (TimestampConverter$Value) failed: field "at": "yesterday" does not match the format yyyy-MM-dd',
    );
    expect(errant(() => chain.apply(record({ at: true }))).message).toContain('a timestamp must be a number or a string, found boolean');
  });

  test('config errors name the key: missing target.type, string without format, unsupported letters', () => {
    expect(() => one('TimestampConverter$Value', {})).toThrow('transforms.t.target.type: is required');
    expect(() => one('TimestampConverter$Value', { 'target.type': 'string' })).toThrow('transforms.t.format: is required when target.type is string');
    expect(() => one('TimestampConverter$Value', { 'target.type': 'epoch' })).toThrow('transforms.t.target.type: must be one of string, unix, Date, Time, Timestamp');
    expect(() => one('TimestampConverter$Value', { 'target.type': 'string', format: 'EEE, d MMM' })).toThrow("transforms.t.format: uses pattern letter 'E'");
    expect(() => one('TimestampConverter$Value', { 'target.type': 'string', format: "yyyy'T" })).toThrow('transforms.t.format: has an unterminated quote');
    expect(() => one('TimestampConverter$Value', { 'target.type': 'unix', 'unix.precision': 'minutes' })).toThrow('transforms.t.unix.precision: must be one of');
  });
});
