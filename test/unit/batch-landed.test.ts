import { describe, expect, test } from 'bun:test';
import { batchLanded } from '../../src/sink/apply.ts';

describe('batchLanded: whether a batch whose reply was lost committed', () => {
  const positions = [
    { topic: 'orders', partition: 0, nextOffset: 10 },
    { topic: 'orders', partition: 1, nextOffset: 5 },
  ];

  test('every stored position at or past its end: committed', () => {
    expect(batchLanded(new Map([['orders/0', 10], ['orders/1', 7]]), positions)).toBe(true);
  });

  test('none reached (or none stored yet): not committed', () => {
    expect(batchLanded(new Map([['orders/0', 4]]), positions)).toBe(false);
    expect(batchLanded(new Map(), positions)).toBe(false);
  });

  test('some reached and some not cannot come from one transaction: refused, naming the partitions', () => {
    expect(() => batchLanded(new Map([['orders/0', 10], ['orders/1', 2]]), positions)).toThrow(/orders\/0, orders\/1.*another writer/);
  });
});
