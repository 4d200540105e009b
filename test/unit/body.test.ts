import { describe, expect, test } from 'bun:test';
import { parseBody } from '../../src/source/body.ts';

function items(text: string, contentType: string | null): unknown[] {
  const parsed = parseBody(text, contentType);
  if (!parsed.ok) throw new Error(`expected a parsed body, got: ${parsed.error.message}`);
  return parsed.items;
}

function failure(text: string, contentType: string | null) {
  const parsed = parseBody(text, contentType);
  if (parsed.ok) throw new Error(`expected a parse failure, got ${JSON.stringify(parsed.items)}`);
  return parsed.error;
}

describe('parseBody', () => {
  test('a single JSON object is one record', () => {
    expect(items('{"id":1,"name":"a"}', 'application/json')).toEqual([{ id: 1, name: 'a' }]);
  });

  test('a JSON array is a batch of its elements, in order', () => {
    expect(items('[{"id":1},{"id":2},{"id":3}]', 'application/json')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('a pretty-printed JSON object with newlines is still one record, not NDJSON', () => {
    expect(items('{\n  "id": 1,\n  "tags": ["a", "b"]\n}\n', 'application/json')).toEqual([{ id: 1, tags: ['a', 'b'] }]);
  });

  test('an NDJSON content type reads one record a line, skipping blank lines and CRLF endings', () => {
    const text = '{"id":1}\r\n\r\n{"id":2}\n   \n{"id":3}\n';
    expect(items(text, 'application/x-ndjson')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('NDJSON content types are matched without parameters and case', () => {
    const text = '{"id":1}\n{"id":2}';
    for (const type of ['application/ndjson', 'application/jsonl', 'application/json-seq', 'Application/X-NDJSON; charset=utf-8']) {
      expect(items(text, type)).toEqual([{ id: 1 }, { id: 2 }]);
    }
  });

  test('under an NDJSON content type a single line that is an array stays one record', () => {
    expect(items('[1,2]', 'application/x-ndjson')).toEqual([[1, 2]]);
  });

  test('a multi-line body that is not one JSON document falls back to NDJSON, with or without a JSON content type', () => {
    expect(items('{"id":1}\n{"id":2}\n', null)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(items('{"id":1}\n{"id":2}', 'application/json')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('an empty or whitespace-only body fails as empty', () => {
    expect(failure('', 'application/json')).toEqual({ message: 'body is empty' });
    expect(failure('  \n\t ', 'application/x-ndjson')).toEqual({ message: 'body is empty' });
  });

  test('an empty array fails as holding no records', () => {
    expect(failure('[]', 'application/json')).toEqual({ message: 'body holds no records' });
  });

  test('a body of only blank lines is empty, whatever the content type', () => {
    expect(failure('\n\r\n\n', null).message).toBe('body is empty');
    expect(failure('\n\n', 'application/x-ndjson').message).toBe('body is empty');
  });

  test('a single line of bad JSON fails with the parser message and no line number', () => {
    const error = failure('{"id":1', 'application/json');
    expect(error.message).toStartWith('body is not valid JSON: ');
    expect(error.message.length).toBeGreaterThan('body is not valid JSON: '.length);
    expect(error.line).toBeUndefined();
  });

  test('a bad NDJSON line is reported by its 1-based line number, counting blank lines', () => {
    const error = failure('{"id":1}\n\n{"id":2}\n{"id":\n{"id":4}', 'application/x-ndjson');
    expect(error.line).toBe(4);
    expect(error.message).toStartWith('line 4 is not valid JSON: ');
  });

  test('a bad line found by the NDJSON fallback is reported by line number too', () => {
    const error = failure('{"id":1}\nnot json\n', null);
    expect(error.line).toBe(2);
    expect(error.message).toStartWith('line 2 is not valid JSON: ');
  });

  test('scalar JSON documents are passed through as one item for the connector to judge', () => {
    expect(items('42', 'application/json')).toEqual([42]);
    expect(items('"text"', null)).toEqual(['text']);
    expect(items('null', null)).toEqual([null]);
  });
});
