import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { DebeziumSourceConfigSchema, StripeSourceConfigSchema } from '../../src/config/index.ts';
import { columnsOf, inferKind } from '../../src/db/column-kinds.ts';
import { toColumnValue } from '../../src/db/column-values.ts';
import { isJsonDecimal, mayRound, parseJson, stringifyJson } from '../../src/json/index.ts';
import { fieldColumn } from '../../src/sink/connect-schema.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { parseBody } from '../../src/source/body.ts';
import { createDebeziumSource } from '../../src/source/debezium.ts';
import { createStripeSource } from '../../src/source/stripe.ts';
import { recordsOf } from '../support/source.ts';

/** The digits of a parsed number, whatever it was parsed into. */
const digits = (value: unknown) => String(value);

describe('parseJson', () => {
  test('integers past 2^53 become exact bigints, to int64 and beyond', () => {
    const parsed = parseJson('[9007199254740993, -9223372036854775808, 9223372036854775807, 123456789012345678901234567890]');
    expect(parsed).toEqual([9007199254740993n, -9223372036854775808n, 9223372036854775807n, 123456789012345678901234567890n]);
  });

  test('decimals no double holds keep their text; numbers a double holds stay numbers', () => {
    const parsed = parseJson('{"exact": 1234567890.12345678901234567890, "tiny": 1e-400, "huge": 1E400, "tenth": 0.1, "n": 12.5, "id": 9007199254740991}') as Record<string, unknown>;
    expect(isJsonDecimal(parsed.exact)).toBe(true);
    expect(digits(parsed.exact)).toBe('1234567890.12345678901234567890');
    expect([digits(parsed.tiny), digits(parsed.huge)]).toEqual(['1e-400', '1E400']);
    expect([parsed.tenth, parsed.n, parsed.id]).toEqual([0.1, 12.5, 9007199254740991]);
  });

  test('text without long digit runs reads exactly as JSON.parse reads it', () => {
    const text = '{"a": [1, 2.5, -3e10, "x\\"y", null, true], "b": {"c": "9007199254740993"}, "d": 123456789012345}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  test("a long digit run inside a string changes nothing but the parser's path", () => {
    const text = '{"phone": "12345678901234567890", "n": 1}';
    expect(parseJson(text)).toEqual({ phone: '12345678901234567890', n: 1 });
  });

  test('only number tokens send a body down the exact path: digit runs inside strings do not', () => {
    // Number tokens past a double, wherever JSON puts one: the start, after : [ and , and whitespace.
    for (const text of ['9007199254740993', '-9007199254740993', '{"a":9007199254740993}', '{"a": \n\t -9007199254740993}', '[1,9007199254740993]', '[9007199254740993]', '{"x": 1e-400}', '[2.5E+308]', '{"d": 0.12345678901234567}']) {
      expect([text, mayRound(text)]).toEqual([text, true]);
    }
    for (const text of ['{"gid": "gid://shopify/Order/820982911946154508"}', '{"id_str": "1234567890123456789"}', '{"n": 123456789012345, "e": "x1e400"}', '{"t": "at 12345678901234567"}']) {
      expect([text, mayRound(text)]).toEqual([text, false]);
    }
    // A string whose text looks like a number token after a colon only costs the slow path.
    expect(parseJson('{"note": "a:12345678901234567", "n": 9007199254740993}')).toEqual({ note: 'a:12345678901234567', n: 9007199254740993n });
  });

  test("invalid JSON fails with JSON.parse's own SyntaxError, on either path", () => {
    for (const text of ['{"a": 1', '{"a": 12345678901234567890', '[1,]']) {
      let native = '';
      try {
        JSON.parse(text);
      } catch (error) {
        native = (error as Error).message;
      }
      expect(() => parseJson(text)).toThrow(native);
    }
  });

  test('a key repeated with another value reads as JSON.parse reads it (the last wins)', () => {
    expect(parseJson('{"a": 1, "a": 12345678901234567890}')).toEqual(JSON.parse('{"a": 1, "a": 12345678901234567890}'));
  });
});

describe('stringifyJson', () => {
  test('writes bigints and decimals back as the numbers they were', () => {
    const text = '{"id":9223372036854775807,"price":1234567890.12345678901234567890,"tenth":0.1,"s":"x"}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  test('writes anything else as JSON.stringify does', () => {
    const value = { a: [1, 'b', null, { c: true }], d: 0.5 };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });
});

describe('exact numbers on the way in', () => {
  test('NDJSON lines and array items keep integers past 2^53', () => {
    const lines = parseBody('{"id": 9007199254740993}\n{"id": 2}\n', 'application/x-ndjson');
    const array = parseBody('[{"id": 9007199254740993}]', 'application/json');
    if (!lines.ok || !array.ok) throw new Error('expected both bodies to parse');
    expect(lines.items).toEqual([{ id: 9007199254740993n }, { id: 2 }]);
    expect(array.items).toEqual([{ id: 9007199254740993n }]);
  });

  test('the debezium source keys and writes an int64 row exactly', () => {
    const source = createDebeziumSource('cdc', v.parse(DebeziumSourceConfigSchema, { 'connector.class': 'debezium', topic: 't', 'key.fields': 'id' }));
    const body = parseBody(
      '{"before": null, "after": {"id": 9223372036854775807, "amount": 0.30000000000000000001}, "op": "c", "source": {"db": "d", "table": "t", "lsn": 18446744073709551615}}',
      'application/json',
    );
    if (!body.ok) throw new Error(body.error.message);
    const [record] = recordsOf(source.toRecords(body.items, { headers: new Headers() }));
    expect(record!.key).toBe('{"id":9223372036854775807}');
    expect(record!.sourceOffset).toBe('18446744073709551615:c:{"id":9223372036854775807}');
    expect(record!.value).toContain('"after":{"id":9223372036854775807,"amount":0.30000000000000000001}');
  });

  test("a Stripe event's object id past 2^53 is the exact Kafka key", () => {
    const source = createStripeSource('pay', v.parse(StripeSourceConfigSchema, { 'connector.class': 'stripe', topic: 't', secrets: 'whsec_x' }));
    const text = '{"id": "evt_1", "object": "event", "type": "t", "data": {"object": {"id": 9007199254740993}}}';
    const body = parseBody(text, 'application/json');
    if (!body.ok) throw new Error(body.error.message);
    const [record] = recordsOf(source.toRecords(body.items, { headers: new Headers(), texts: body.texts }));
    expect(record!.key).toBe('9007199254740993');
    expect(record!.value).toBe(text);
  });
});

describe('exact numbers on the way out', () => {
  const consumed = (key: string | null, value: string) => ({ topic: 't', partition: 0, offset: 0, key: key === null ? null : Buffer.from(key), value: Buffer.from(value), headers: {} });

  test('a sink record keeps its key and value numbers exact', () => {
    const record = toSinkRecord(consumed('9007199254740993', '{"id": -9223372036854775808, "price": 1234567890.12345678901234567890}'));
    expect(record.key).toBe(9007199254740993n);
    expect((record.value as Record<string, unknown>).id).toBe(-9223372036854775808n);
    expect(digits((record.value as Record<string, unknown>).price)).toBe('1234567890.12345678901234567890');
  });

  test('column kinds: int64 integers stay integer, anything a double would round is decimal', () => {
    expect([inferKind(9007199254740993n), inferKind(2n ** 64n), inferKind(parseJson('1234567890.12345678901234567890'))]).toEqual(['integer', 'decimal', 'decimal']);
    const columns = columnsOf(
      [
        { big: 9007199254740993n, mixed: 1, fraction: 1, both: 9007199254740993n, tenth: 0.1 },
        { big: 2, mixed: parseJson('0.30000000000000000001'), fraction: 1.5, both: 1.5, tenth: 0.2 },
      ],
      new Map(),
    );
    expect(Object.fromEntries(columns)).toEqual({ big: 'integer', mixed: 'decimal', fraction: 'real', both: 'decimal', tenth: 'real' });
  });

  test('column values: an int64 bigint binds as one, anything else exact goes as its digits', () => {
    expect(toColumnValue('integer', 9223372036854775807n)).toBe(9223372036854775807n);
    expect(toColumnValue('integer', 2n ** 64n)).toBe('18446744073709551616');
    expect(toColumnValue('decimal', parseJson('1234567890.12345678901234567890'))).toBe('1234567890.12345678901234567890');
    expect(toColumnValue('text', { id: 9007199254740993n })).toBe('{"id":9007199254740993}');
  });

  test('Connect: a NUMERIC-format Decimal and a NanoTimestamp past 2^53 convert exactly', () => {
    const decimal = fieldColumn({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '20' } });
    expect(decimal.convert(parseJson('1234567890.12345678901234567890'))).toBe('1234567890.12345678901234567890');
    const nanos = fieldColumn({ type: 'int64', name: 'io.debezium.time.NanoTimestamp' });
    expect(nanos.convert(parseJson('1709212455678901234'))).toBe('2024-02-29 13:14:15.678901');
    expect(nanos.convert(parseJson('-1000000000000000001'))).toBe('1938-04-24 22:13:19.999999');
  });
});
