import { describe, expect, test } from 'bun:test';
import { parseBody } from '../../src/source/body.ts';
import { arrayElementTexts } from '../../src/source/json-spans.ts';

describe('arrayElementTexts', () => {
  test('splits only at top-level commas, whatever strings and nesting hold', () => {
    const elements = [
      '{"a":[1,2,{"b":"],}"}],"c":{}}',
      '"a \\"quoted\\" comma, [bracket] and {brace}"',
      '"ends in a backslash \\\\"',
      '[[],[[]],{}]',
      '12345678901234567890',
      'null',
      '-1.5e+300',
      '{"\\\\":"\\\\\\""}',
    ];
    expect(arrayElementTexts(`[${elements.join(',')}]`)).toEqual(elements);
  });

  test('keeps each element as sent, without the whitespace around it', () => {
    const text = ' [\n  {"id": 1,\n   "x": [ 1, 2 ]} ,\n\t"two"\n]\n';
    expect(arrayElementTexts(text)).toEqual(['{"id": 1,\n   "x": [ 1, 2 ]}', '"two"']);
  });

  test('every text parses back to its item, for generated documents', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const chars = ['a', ',', '[', ']', '{', '}', '"', '\\', ' ', 'é', '\n'];
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (kind === 0) return Math.floor(random() * 1e6) / 100;
      if (kind === 1) return Array.from({ length: Math.floor(random() * 6) }, () => chars[Math.floor(random() * chars.length)]).join('');
      if (kind === 2) return random() < 0.5;
      if (kind === 3) return null;
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}${chars[i]}`, value(depth + 1)]));
    };
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: 1 + Math.floor(random() * 5) }, () => value(0));
      const text = JSON.stringify(items, null, round % 2 ? 1 : undefined);
      expect(arrayElementTexts(text).map((t) => JSON.parse(t))).toEqual(items);
    }
  });
});

describe('parseBody texts', () => {
  test('a document, each NDJSON line and each array element come with their text as sent', () => {
    const big = '{"id":12345678901234567890}';
    const one = parseBody(` ${big}\n`, 'application/json');
    const lines = parseBody(`${big}\n\n{"id":2}\n`, 'application/x-ndjson');
    const array = parseBody(`[${big}, {"id":2}]`, null);
    expect(one.ok && one.texts).toEqual([big]);
    expect(lines.ok && lines.texts).toEqual([big, '{"id":2}']);
    expect(array.ok && array.texts).toEqual([big, '{"id":2}']);
  });
});
