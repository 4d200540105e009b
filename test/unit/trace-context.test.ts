import { describe, expect, test } from 'bun:test';
import { TraceFlags } from '@opentelemetry/api';
import { distinctTraceContexts, parseTraceParent, traceContextFrom, traceHeaders } from '../../src/trace/index.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('traceparent (W3C Trace Context)', () => {
  test('a valid version 00 header names its trace, parent span and flags', () => {
    expect(parseTraceParent(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(TraceFlags.NONE);
  });

  test('version ff is invalid', () => {
    expect(parseTraceParent(`ff-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
  });

  test('an all-zero trace id or parent id is invalid', () => {
    expect(parseTraceParent(`00-${'0'.repeat(32)}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).toBeUndefined();
  });

  test('fields of the wrong length are invalid', () => {
    expect(parseTraceParent(`00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID}0-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-1`)).toBeUndefined();
    expect(parseTraceParent(`0-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent('')).toBeUndefined();
  });

  test('uppercase hex is invalid', () => {
    expect(parseTraceParent(`00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID.toUpperCase()}-01`)).toBeUndefined();
    expect(parseTraceParent(`0A-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
  });

  test('version 00 has exactly four fields; a later version may add more', () => {
    expect(parseTraceParent(`${VALID}-extra`)).toBeUndefined();
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-01-extra`)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-01extra`)).toBeUndefined();
    // Two headers joined by a comma (Headers.get of a repeated header) is malformed.
    expect(parseTraceParent(`${VALID}, ${VALID}`)).toBeUndefined();
  });

  test('tracestate is read beside a valid traceparent, and written back', () => {
    const headers: Record<string, string> = { traceparent: VALID, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
    const context = traceContextFrom((name) => headers[name]);
    expect(context?.traceState?.get('congo')).toBe('t61rcWkgMzE');
    expect(traceHeaders(context!)).toEqual(headers);
    expect(traceContextFrom((name) => ({ traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'rojo=1' })[name])).toBeUndefined();
  });

  test('no headers for an invalid context', () => {
    expect(traceHeaders({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).toBeUndefined();
  });

  test("a batch's records yield each distinct valid context once", () => {
    const other = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const contexts = distinctTraceContexts([{ traceparent: VALID }, { traceparent: VALID }, { traceparent: other }, { traceparent: 'garbage' }, {}]);
    expect(contexts.map((c) => c.spanId)).toEqual([SPAN_ID, 'b'.repeat(16)]);
  });
});
