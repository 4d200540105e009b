import { describe, expect, test } from 'bun:test';
import { newestShare, type Span } from '../../src/kafka/newest-share.ts';

const span = (partition: number, start: number, end: number): Span => ({ topic: 't', partition, start, end });
const size = (spans: Span[]) => spans.reduce((n, s) => n + s.end - s.start, 0);

describe('newestShare', () => {
  test('spans within the bound are read whole', () => {
    const spans = [span(0, 0, 10), span(1, 5, 20)];
    expect(newestShare(spans, 25)).toEqual(spans);
  });

  test('over the bound, each partition keeps its newest records in proportion, adding up to the bound exactly', () => {
    const cut = newestShare([span(0, 0, 600), span(1, 100, 400), span(2, 0, 100)], 100);
    expect(cut).toEqual([span(0, 540, 600), span(1, 370, 400), span(2, 90, 100)]);
    for (const max of [1, 7, 99, 333, 999]) expect(size(newestShare([span(0, 0, 600), span(1, 100, 400), span(2, 3, 103)], max))).toBe(max);
  });

  test('a partition whose share rounds to nothing is not read at all', () => {
    expect(newestShare([span(0, 0, 1000), span(1, 0, 1)], 10)).toEqual([span(0, 990, 1000)]);
  });
});
