import { describe, expect, test } from 'bun:test';
import { textHeaders } from '../../src/kafka/message-record.ts';

describe('textHeaders', () => {
  test('decodes each header value as text', () => {
    expect(textHeaders({ headers: [{ 'inlet.connector': Buffer.from('orders') }, { 'inlet.offset': Buffer.from('evt_1') }] })).toEqual({
      'inlet.connector': 'orders',
      'inlet.offset': 'evt_1',
    });
  });

  test('a name that repeats keeps its last value, as Kafka Connect reads it', () => {
    expect(textHeaders({ headers: [{ trace: Buffer.from('first') }, { other: Buffer.from('x') }, { trace: Buffer.from('last') }] })).toEqual({ trace: 'last', other: 'x' });
  });

  test('a message without headers has none', () => {
    expect(textHeaders({})).toEqual({});
  });
});
