import { describe, expect, test } from 'bun:test';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { causeChain, errorTrace, rootCause } from '../../src/errors/index.ts';

describe('rootCause', () => {
  test("unwraps Drizzle's query error, whose message holds every bound value, to the driver's", () => {
    const cause = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const wrapped = new DrizzleQueryError('INSERT INTO t SELECT * FROM json_populate_recordset(NULL::t, $1)', ['[{"email":"a@b.c"}]'], cause);
    expect(wrapped.message).toContain('a@b.c');
    expect(rootCause(wrapped)).toBe(cause);
    const own = new Error('orders/1@2: cannot be applied');
    expect(rootCause(own)).toBe(own);
  });

  test('follows a chain to its end, stops on a cycle, and makes an Error of a thrown non-error', () => {
    const inner = new Error('inner');
    expect(rootCause(new Error('outer', { cause: new Error('middle', { cause: inner }) }))).toBe(inner);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(['a', 'b']).toContain(rootCause(a).message);
    expect(rootCause('plain text').message).toBe('plain text');
  });
});

describe('causeChain', () => {
  test('lists the error and what it wraps, outermost first, bounded on a cycle', () => {
    const inner = { code: '57P01' };
    const outer = new Error('outer', { cause: inner });
    expect(causeChain(outer)).toEqual([outer, inner]);
    const a = new Error('a');
    a.cause = a;
    expect(causeChain(a).length).toBeLessThanOrEqual(6);
  });
});

describe('errorTrace', () => {
  test("carries what an error wraps, an aggregate's errors included", () => {
    const trace = errorTrace(new Error('cannot start', { cause: new AggregateError([new Error('ECONNREFUSED ::1'), new Error('ECONNREFUSED 127.0.0.1')], 'connect failed') }));
    expect(trace).toContain('cannot start');
    expect(trace).toContain('Caused by: AggregateError: connect failed');
    expect(trace).toContain('ECONNREFUSED 127.0.0.1');
  });
});
