import { Hono } from 'hono';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { AuthenticationError, InvalidPushError, PushTooLargeError, RequestTimeoutError, ThrottledError, UnavailableError, UnknownSourceError } from '../errors/index.ts';
import type { IngestMetrics } from '../metrics/index.ts';
import { parseBody, type SourceConnector, type SourceRecordSender } from '../source/index.ts';
import { Deadline, readBody, UNREADABLE_BODY, type BodyRefusal } from './read-body.ts';
import { ReadingBudget } from './reading-budget.ts';
import { parentContext, traceContextFrom, traceHeaders, tracer } from '../trace/index.ts';

// Many bodies are being read: another sender's will likely have finished within a second.
const BUSY_RETRY_AFTER_SECONDS = 1;

export interface IngestDeps {
  /** The source connector serving `name`, and whether it takes pushes now (not PAUSED/STOPPED). */
  source(name: string): { connector: SourceConnector; accepting: boolean } | undefined;
  writer: SourceRecordSender;
  defaultMaxBodyBytes: number;
  /** Request body bytes being read at once over all connections; past it, 429 before reading. */
  maxReadingBytes: number;
  /** A push's body must arrive whole within this long (INLET_REQUEST_TIMEOUT_MS), whichever server runs. */
  requestTimeoutMs?: number;
  /** Records, rejections and bytes per connector (requests and their latency: see createApp). */
  metrics?: IngestMetrics;
}

const INGEST_ROUTE = '/ingest/:connector';

// A paused connector is not gone: the sender keeps the push and comes back.
const PAUSED_RETRY_AFTER_SECONDS = 5;

/**
 * `POST /ingest/:connector`: validate every record, make them durable, then answer 200. Every
 * refusal is thrown as src/errors' push family, which src/http/errors.ts answers.
 */
export function ingestRoutes(deps: IngestDeps) {
  const app = new Hono<{ Variables: { span: Span } }>();
  const reading = new ReadingBudget(deps.maxReadingBytes);

  // A span per push, from its arrival to its answer (the answer waits for Kafka's delivery
  // reports), child of the sender's traceparent. Its context is what the records carry on.
  app.use('/:connector', async (c, next) => {
    const span = tracer.startSpan(
      `POST ${INGEST_ROUTE}`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_HTTP_ROUTE]: INGEST_ROUTE, 'inlet.connector': c.req.param('connector') } },
      parentContext(traceContextFrom((name) => c.req.header(name))),
    );
    c.set('span', span);
    try {
      await next();
    } finally {
      // onError has answered a refusal by now. A server span is in error for 5xx only: a 4xx is the sender's.
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(c.error ? { message: c.error.message } : {}) });
      span.end();
    }
  });

  app.post('/:connector', async (c) => {
    const found = deps.source(c.req.param('connector'));
    if (!found) throw new UnknownSourceError(`no source connector named "${c.req.param('connector')}"`);
    if (!found.accepting) {
      throw new UnavailableError(`connector "${found.connector.name}" is not accepting pushes now (paused or stopped)`, PAUSED_RETRY_AFTER_SECONDS);
    }
    const source = found.connector;
    const meter = deps.metrics?.connector(source.name);
    const maxSize = source.maxBodyBytes ?? deps.defaultMaxBodyBytes;
    const reservation = reading.open();
    // Released on every path, a sender gone mid-body included: readBody settles when the socket closes.
    const deadline = deps.requestTimeoutMs === undefined ? undefined : Deadline.after(deps.requestTimeoutMs);
    const read = await readBody(c.req, maxSize, reservation, deadline).finally(reservation.release);
    if (!read.ok) throw bodyRefusal(read.refusal, maxSize, source.name);
    meter?.received(read.bytes);
    const body = read.text;
    if (source.verify) {
      const verdict = await source.verify({ body, headers: c.req.raw.headers, receivedAt: Date.now() });
      if (!verdict.ok) throw new AuthenticationError(`authentication failed: ${verdict.check}`, { check: verdict.check });
    }
    const parsed = parseBody(body, c.req.header('content-type') ?? null);
    if (!parsed.ok) throw new InvalidPushError(parsed.error.message, parsed.error.line ? { line: parsed.error.line } : {});

    const converted = source.toRecords(parsed.items, { headers: c.req.raw.headers, texts: parsed.texts });
    if (!converted.ok) {
      meter?.rejected(parsed.items.length);
      const first = converted.issues[0]!;
      if (first.header) throw new InvalidPushError(`invalid request: header "${first.header}": ${first.message}`, { header: first.header });
      const where = first.path ? `record ${first.index}, field "${first.path}"` : `record ${first.index}`;
      throw new InvalidPushError(`invalid record: ${where}: ${first.message}`, { issues: converted.issues });
    }

    // Every record carries the push's span context: the sink's spans and log lines continue its trace.
    const span = c.get('span');
    const traced = traceHeaders(span.spanContext());
    const records = traced ? converted.records.map((record) => ({ ...record, headers: { ...record.headers, ...traced } })) : converted.records;
    // Kafka unreachable or too much in flight: the sender throws UnavailableError or ThrottledError.
    const result = await deps.writer.write(source, records);
    meter?.records(result.accepted, result.duplicates);
    span.setAttributes({ 'inlet.records.accepted': result.accepted, 'inlet.records.duplicates': result.duplicates });
    // A retried delivery is told so plainly: nothing of it was new.
    const duplicate = result.accepted === 0 && result.duplicates > 0;
    return c.json(duplicate ? { ...result, duplicate } : result, 200);
  });

  return app;
}

function bodyRefusal(refusal: BodyRefusal, maxSize: number, connector: string): Error {
  switch (refusal) {
    case 'too-large':
      return new PushTooLargeError(`body exceeds the limit of ${maxSize} bytes for "${connector}"`);
    case 'busy':
      // The body stays unread; the connection goes with it rather than be drained.
      return new ThrottledError('too many request bodies are being read at once; retry later', BUSY_RETRY_AFTER_SECONDS, { closeConnection: true });
    case 'not-utf8':
      return new InvalidPushError('body is not valid UTF-8');
    case 'unreadable':
      return new InvalidPushError(UNREADABLE_BODY);
    case 'timed-out':
      return new RequestTimeoutError('the body did not arrive whole in time');
  }
}
