import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { join } from 'node:path';
import { readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sqliteRows } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { restCall, startWorker, type WorkerProcess } from '../support/worker.ts';

/** A span as OTLP/HTTP's JSON encoding carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CONSUMER = 5;

/** An attribute's value, whichever of OTLP's typed fields holds it. */
function attribute(attributes: OtlpSpan['attributes'], key: string): unknown {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  const [field] = Object.values(value);
  return typeof field === 'string' && 'intValue' in value ? Number(field) : field;
}

/** A small OTLP/HTTP receiver: what the worker's exporter posts to /v1/traces, kept. */
function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const services: unknown[] = [];
  const bodies: string[] = [];
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== 'POST' || path !== '/v1/traces') return new Response('not found', { status: 404 });
      const text = await request.text();
      bodies.push(text);
      // The JSON exporter is what this test expects; anything else fails loudly, quoted.
      if (!(request.headers.get('content-type') ?? '').includes('application/json')) throw new Error(`expected OTLP JSON, got ${request.headers.get('content-type')}`);
      const body = JSON.parse(text) as OtlpExport;
      for (const resourceSpans of body.resourceSpans) {
        services.push(attribute(resourceSpans.resource?.attributes, 'service.name'));
        for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans);
      }
      return Response.json({});
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, spans, services, bodies, stop: () => server.stop(true) };
}

type LogLine = Record<string, unknown> & { msg: string };

function logLines(worker: WorkerProcess): LogLine[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('trace context: from the push, through the Kafka headers, to the sink, exported over OTLP', () => {
  let kafka: KafkaBroker;
  let receiver: ReturnType<typeof otlpReceiver>;
  let worker: WorkerProcess;
  const run = Date.now();
  const topic = `traced-orders-${run}`;
  const sqlitePath = join(tempDir('trace-context'), 'rows.db');
  const strictPath = join(tempDir('trace-context-strict'), 'rows.db');

  beforeAll(async () => {
    kafka = await sharedKafka();
    receiver = otlpReceiver();
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'orders', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id', 'topic.creation.default.partitions': 1 } },
        { name: 'orders-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` } },
        // Keyed on a field no record has: every record is errant, logged by the log reporter.
        { name: 'orders-strict', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'sku', 'errors.tolerance': 'all', 'errors.log.enable': true, 'connection.url': `sqlite:${strictPath}` } },
      ],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: `inlet-trace-test-${run}`,
        // Nothing is exported before the drain: the spans arrive only if SIGTERM flushes them.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        // The sink's line about each batch it applies is a debug line.
        INLET_LOG_LEVEL: 'debug',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.kill();
    receiver?.stop();
  });

  test("a push's traceparent reaches every record's headers, the ingest span, the sink's span and the sink's log lines", async () => {
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const pushedSpanId = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
    // Several records in one push: each is a record of its own, and each must carry the trace.
    const pushed = [{ id: 1, amount: 3 }, { id: 2, amount: 4 }, { id: 3, amount: 5 }];
    const traced = await worker.post('/ingest/orders', pushed, { traceparent: `00-${traceId}-${pushedSpanId}-01`, tracestate: 'vendor=opaque,other=two' });
    expect(traced.status).toBe(200);
    // Applied alone, so that its batch holds this push's records only.
    await waitFor('the traced rows in the table', () => sqliteRows(sqlitePath, 'SELECT id FROM orders').length === 3, { timeoutMs: 60_000 });
    // A malformed traceparent (uppercase hex) is ignored: the push is accepted, untraced by it.
    const malformed = await worker.post('/ingest/orders', [{ id: 4, amount: 6 }], { traceparent: `00-${traceId.toUpperCase()}-${pushedSpanId}-01` });
    expect(malformed.status).toBe(200);
    await waitFor('all rows in the table', () => sqliteRows(sqlitePath, 'SELECT id FROM orders').length === 4, { timeoutMs: 60_000 });

    // Every record of the push carries its trace, under the ingest span (what the sink continues), and its tracestate.
    const records = await readRecords(kafka, topic, 4);
    expect(records).toHaveLength(4);
    const ofPush = records.filter((r) => ['1', '2', '3'].includes(r.key));
    expect(ofPush.map((r) => r.key).sort()).toEqual(['1', '2', '3']);
    const headerSpan = ofPush[0]!.headers.traceparent?.split('-')[2];
    for (const record of ofPush) {
      expect({ key: record.key, traceparent: record.headers.traceparent, tracestate: record.headers.tracestate }).toEqual({
        key: record.key,
        traceparent: `00-${traceId}-${headerSpan}-01`,
        tracestate: 'vendor=opaque,other=two',
      });
    }
    expect(headerSpan).not.toBe(pushedSpanId);
    const untraced = records.find((r) => r.key === '4')!;
    // (When tracing is on, its own ingest span's context, in a trace of its own.)
    expect(untraced.headers.traceparent?.split('-')[1]?.toLowerCase()).not.toBe(traceId);

    // The sink's line about the batch carries the trace id.
    const applied = await waitFor('the sink to log the traced batch', () =>
      logLines(worker).find((line) => line.connector === 'orders-sink' && line.trace_id === traceId && line.msg.includes('applied') && line.level === 'debug'),
    ).catch((error) => {
      throw new Error(`${(error as Error).message}\n--- worker output ---\n${worker.output()}`);
    });
    expect(applied).toMatchObject({ task: 0, topic, applied: 3 });
    // So does its info line (at most one per 10 s, naming the traces its batches carried): found at the default level.
    const summary = await waitFor('the sink to say at info what it applied', () =>
      logLines(worker).find((line) => line.connector === 'orders-sink' && line.level === 'info' && Array.isArray(line.trace_ids) && line.trace_ids.includes(traceId)),
    );
    expect(summary).toMatchObject({ task: 0, traces: expect.any(Number) });
    // Each errant record's line names the push it came from: its trace, its record's span.
    const errant = await waitFor('the log reporter to log the traced errant records', () => {
      const lines = logLines(worker).filter((line) => line.connector === 'orders-strict' && line.msg.includes('skipping errant record') && line.trace_id === traceId);
      return lines.length === 3 && lines;
    }, { timeoutMs: 60_000 });
    for (const line of errant) expect(line).toMatchObject({ level: 'warn', topic, stage: 'TASK_PUT', trace_id: traceId, span_id: headerSpan });
    expect(new Set(errant.map((line) => line.offset)).size).toBe(3);

    // SIGTERM drains, and the drain exports the spans still queued.
    expect(await worker.stop()).toBe(0);
    await waitFor('spans at the OTLP receiver', () => receiver.spans.length > 0, { timeoutMs: 10_000 }).catch((error) => {
      throw new Error(`${(error as Error).message}\n--- worker output ---\n${worker.output()}`);
    });
    expect(receiver.services).toContain(`inlet-trace-test-${run}`);

    const ingest = receiver.spans.find((s) => s.traceId === traceId && s.kind === SPAN_KIND_SERVER);
    if (!ingest) throw new Error(`no ingest span in trace ${traceId}: ${JSON.stringify(receiver.spans, null, 1)}`);
    expect(ingest.parentSpanId).toBe(pushedSpanId);
    expect(ingest.spanId).toBe(headerSpan!);
    expect(attribute(ingest.attributes, 'inlet.connector')).toBe('orders');
    expect(attribute(ingest.attributes, 'inlet.records.accepted')).toBe(3);
    expect(attribute(ingest.attributes, 'inlet.records.duplicates')).toBe(0);
    expect(attribute(ingest.attributes, 'http.response.status_code')).toBe(200);

    const apply = receiver.spans.find((s) => s.kind === SPAN_KIND_CONSUMER && attribute(s.attributes, 'inlet.connector') === 'orders-sink' && s.links?.some((l) => l.traceId === traceId));
    if (!apply) throw new Error(`no sink span links to trace ${traceId}: ${JSON.stringify(receiver.spans, null, 1)}`);
    expect(apply.links).toContainEqual(expect.objectContaining({ traceId, spanId: ingest.spanId }));
    // One push's records alone in the batch: the span is its child too.
    expect(apply.traceId).toBe(traceId);
    expect(apply.parentSpanId).toBe(ingest.spanId);
    expect(attribute(apply.attributes, 'inlet.connector')).toBe('orders-sink');
    expect(attribute(apply.attributes, 'inlet.records.applied')).toBe(3);
    expect(applied.span_id).toBe(apply.spanId);
  }, 180_000);
});

describe('trace context without OpenTelemetry export (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  test("the pushed traceparent travels unchanged to the record's headers and the sink's log lines; a batch of several pushes names them all", async () => {
    const kafka = await sharedKafka();
    const run = Date.now();
    const topic = `untraced-orders-${run}`;
    const sqlitePath = join(tempDir('trace-context-noop'), 'rows.db');
    const worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        { name: 'orders', config: { 'connector.class': 'webhook', topic, 'key.field': 'id', 'offset.field': 'id', 'topic.creation.default.partitions': 1 } },
        { name: 'orders-sink', config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'orders', 'primary.key.fields': 'id', 'connection.url': `sqlite:${sqlitePath}` } },
      ],
      env: { INLET_LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    try {
      const traceId = crypto.randomUUID().replaceAll('-', '');
      const spanId = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
      const traceparent = `00-${traceId}-${spanId}-01`;
      expect((await worker.post('/ingest/orders', [{ id: 1 }], { traceparent })).status).toBe(200);
      await waitFor('the row in the table', () => sqliteRows(sqlitePath, 'SELECT id FROM orders').length === 1, { timeoutMs: 60_000 });
      // No span of Inlet's own: the no-op tracer passes the sender's context on as it came.
      const [record] = await readRecords(kafka, topic, 1);
      expect(record?.headers.traceparent).toBe(traceparent);
      const applied = await waitFor('the sink to log the batch', () =>
        logLines(worker).find((line) => line.connector === 'orders-sink' && typeof line.msg === 'string' && line.msg.includes('applied')),
      );
      expect(applied).toMatchObject({ trace_id: traceId, span_id: spanId });

      // Two pushes in one batch: paused, the sink reads neither until it resumes, then both at once.
      expect((await restCall(worker, 'PUT', '/connectors/orders-sink/pause')).status).toBe(202);
      await waitFor('the sink task paused', async () => (await restCall(worker, 'GET', '/connectors/orders-sink/status')).body?.tasks?.[0]?.state === 'PAUSED');
      const pushes = [crypto.randomUUID().replaceAll('-', ''), crypto.randomUUID().replaceAll('-', '')];
      for (const [n, id] of pushes.entries()) {
        expect((await worker.post('/ingest/orders', [{ id: 10 + n }], { traceparent: `00-${id}-${spanId}-01` })).status).toBe(200);
      }
      expect((await restCall(worker, 'PUT', '/connectors/orders-sink/resume')).status).toBe(202);
      await waitFor('both rows in the table', () => sqliteRows(sqlitePath, 'SELECT id FROM orders').length === 3, { timeoutMs: 60_000 });
      // Its span (a root, no SDK here: none) links both; its debug line names both.
      const both = await waitFor('the sink to log the batch of two pushes', () =>
        logLines(worker).find((line) => line.connector === 'orders-sink' && line.level === 'debug' && line.msg.includes('applied 2 of 2')),
      );
      expect(both).toMatchObject({ linked_traces: 2 });
      expect(both.trace_id).toBeUndefined();
      expect([...(both.linked_trace_ids as string[])].sort()).toEqual([...pushes].sort());
      // And the info line names them too: at the default level, without a line per batch.
      const summary = await waitFor('the sink to say at info what it applied after the resume', () =>
        logLines(worker).find((line) => line.connector === 'orders-sink' && line.level === 'info' && pushes.every((id) => (line.trace_ids as string[] | undefined)?.includes(id))),
      );
      expect(summary).toMatchObject({ applied: 2, batches: 1, traces: 2 });
    } finally {
      await worker.stop();
    }
  }, 120_000);
});
