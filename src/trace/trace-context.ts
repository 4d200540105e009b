// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
// headers a push may carry, read and written as OpenTelemetry's span contexts. Parsed here, with
// @opentelemetry/api only, because OpenTelemetry's own propagator lives in @opentelemetry/core,
// whose Node build imports node:util and reads process.env: not for the runtime-neutral folders.
import { createTraceState, isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/** The header names, on an HTTP request and on a Kafka record alike (as OpenTelemetry's Kafka instrumentations use them). */
export const TRACE_HEADERS = { parent: 'traceparent', state: 'tracestate' } as const;

// version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex only (§3.2.2); a later
// version may append fields, each after a "-" (§4.3).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_VERSION = 'ff';
const VERSION = '00';

/**
 * The span context a `traceparent` names, or undefined when it is malformed: an unknown shape,
 * uppercase hex, version ff, an all-zero trace or parent id, or a version 00 header with more
 * than its four fields. A malformed header is ignored, never an error: the push goes on untraced.
 */
export function parseTraceParent(traceparent: string, tracestate?: string | null): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === INVALID_VERSION || (version === VERSION && rest !== undefined)) return undefined;
  const context: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
  // all-zero ids are invalid (§3.2.2.3, §3.2.2.4); the api's check says so.
  if (!isSpanContextValid(context)) return undefined;
  // tracestate is read only beside a valid traceparent (§3.3); the api drops its malformed entries.
  if (tracestate) context.traceState = createTraceState(tracestate);
  return context;
}

/** A span context from headers read by `get` (an HTTP request's, a Kafka record's). */
export function traceContextFrom(get: (name: string) => string | null | undefined): SpanContext | undefined {
  const traceparent = get(TRACE_HEADERS.parent);
  return traceparent ? parseTraceParent(traceparent, get(TRACE_HEADERS.state)) : undefined;
}

/** The headers that carry `context` on, version 00; none for an invalid context (nothing to continue). */
export function traceHeaders(context: SpanContext): Record<string, string> | undefined {
  if (!isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  const headers: Record<string, string> = { [TRACE_HEADERS.parent]: `${VERSION}-${context.traceId}-${context.spanId}-${flags}` };
  const state = context.traceState?.serialize();
  if (state) headers[TRACE_HEADERS.state] = state;
  return headers;
}

/**
 * The distinct span contexts that records' headers carry (a push's records share one), parsed
 * once per distinct header; records without a valid one are left out.
 */
export function distinctTraceContexts(headers: Iterable<Readonly<Record<string, string>>>): SpanContext[] {
  const seen = new Map<string, SpanContext | undefined>();
  for (const h of headers) {
    const traceparent = h[TRACE_HEADERS.parent];
    if (traceparent === undefined) continue;
    const key = `${traceparent} ${h[TRACE_HEADERS.state] ?? ''}`;
    if (!seen.has(key)) seen.set(key, parseTraceParent(traceparent, h[TRACE_HEADERS.state]));
  }
  const contexts = new Map<string, SpanContext>();
  // Two tracestates beside one span id are one parent: the first is kept.
  for (const context of seen.values()) if (context && !contexts.has(`${context.traceId}-${context.spanId}`)) contexts.set(`${context.traceId}-${context.spanId}`, context);
  return [...contexts.values()];
}
