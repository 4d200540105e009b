// The tracing port: W3C trace context and OpenTelemetry's API, which is a no-op until the entry
// point registers an SDK (src/runtime/tracing.ts, only when OTEL_EXPORTER_OTLP_ENDPOINT is set).
// Like src/log and src/metrics, a leaf: the data path starts spans here without knowing the SDK.
import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';

export { distinctTraceContexts, parseTraceParent, traceContextFrom, traceHeaders, TRACE_HEADERS } from './trace-context.ts';

/** Inlet's tracer. A proxy: it finds the SDK's tracer once one is registered, and until then makes non-recording spans. */
export const tracer = trace.getTracer('inlet');

/** A context whose parent span is `remote` (from a push's headers or a record's), or the root context. */
export function parentContext(remote: SpanContext | undefined): Context {
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
}

/** Log fields that tie a line to a span: `trace_id` and `span_id`, as OpenTelemetry's log data model names them; none for an invalid context. */
export function traceFields(context: SpanContext | undefined): { trace_id: string; span_id: string } | undefined {
  return context && trace.isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : undefined;
}
