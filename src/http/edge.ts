// Edge entry (Cloudflare Workers under workerd, or a forwarder on Bun/Node: src/edge-main.ts):
// Kafka is out of reach here, so accepted pushes are forwarded to a worker that owns it. The
// worker's answer (200 only once Kafka has acknowledged, 4xx/5xx with the reason) goes back to the
// sender unchanged. What the edge can refuse alone, it refuses before forwarding: a body over the
// limit, and, for the sources INLET_EDGE_CONNECTORS names, a push whose signature does not verify.
import { Hono } from 'hono';
import { AuthenticationError, InvalidPushError, MisconfiguredError, PushTooLargeError, RequestTimeoutError, UnavailableError } from '../errors/index.ts';
import { edgeSources } from './edge-sources.ts';
import { errorHandler, onNotFound } from './errors.ts';
import { Deadline, readBodyBytes, UNREADABLE_BODY } from './read-body.ts';
import { UNBOUNDED } from './reading-budget.ts';

/**
 * The edge's settings (Wrangler `[vars]` and secrets, or the forwarder's environment).
 * - `INLET_WORKER_URL`: the worker the pushes go to.
 * - `INLET_MAX_BODY_BYTES`: the body limit, as on the worker (default 5 MiB); a source's own
 *   `max.body.bytes` in INLET_EDGE_CONNECTORS wins for its pushes.
 * - `INLET_EDGE_CONNECTORS`: a connectors file (the worker's JSON) whose sources the edge verifies;
 *   their `${env:NAME}` secrets are read from the other bindings.
 * - `INLET_REQUEST_TIMEOUT_MS`: a body must arrive whole within this long (408 otherwise). The
 *   forwarder on Bun sets it (Bun.serve has only an idle timeout); workerd has its own limits.
 */
export type EdgeBindings = {
  INLET_WORKER_URL?: string;
  INLET_MAX_BODY_BYTES?: string;
  INLET_EDGE_CONNECTORS?: string;
  INLET_REQUEST_TIMEOUT_MS?: string;
} & Record<string, string | undefined>;

const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
const WORKER_DOWN_RETRY_AFTER_SECONDS = 5;

// Hop-by-hop and connection headers stay at the edge; everything else (signatures, delivery ids,
// Authorization, Idempotency-Key, traceparent) is what the worker verifies or carries on and must
// arrive untouched.
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'proxy-authorization', 'proxy-connection']);

// Fatal, as on the worker: a signature is checked over the text the worker will store.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const app = new Hono<{ Bindings: EdgeBindings }>();

app.post('/ingest/:connector', async (c) => {
  const name = c.req.param('connector');
  const target = new URL(`/ingest/${encodeURIComponent(name)}`, workerUrl(c.env.INLET_WORKER_URL));
  const source = edgeSources(c.env).get(name);
  const maxBytes = source?.maxBodyBytes ?? edgeMaxBodyBytes(c.env.INLET_MAX_BODY_BYTES);
  // Bytes, not text: they reach the worker as sent, which verifies signatures over them and
  // refuses what is not UTF-8.
  const timeoutMs = positiveSetting('INLET_REQUEST_TIMEOUT_MS', c.env.INLET_REQUEST_TIMEOUT_MS);
  const read = await readBodyBytes(c.req, maxBytes, UNBOUNDED, timeoutMs === undefined ? undefined : Deadline.after(timeoutMs));
  if (!read.ok) {
    if (read.refusal === 'too-large') throw new PushTooLargeError(`body exceeds the limit of ${maxBytes} bytes`);
    if (read.refusal === 'timed-out') throw new RequestTimeoutError('the body did not arrive whole in time');
    throw new InvalidPushError(UNREADABLE_BODY);
  }
  if (source?.verify) {
    let body: string;
    try {
      body = utf8.decode(read.bytes);
    } catch {
      throw new InvalidPushError('body is not valid UTF-8');
    }
    const verdict = await source.verify({ body, headers: c.req.raw.headers, receivedAt: Date.now() });
    if (!verdict.ok) throw new AuthenticationError(`authentication failed: ${verdict.check}`, { check: verdict.check });
  }
  const headers = new Headers();
  c.req.raw.headers.forEach((value, header) => {
    if (!HOP_BY_HOP.has(header.toLowerCase())) headers.set(header, value);
  });
  try {
    return await fetch(target, { method: 'POST', headers, body: read.bytes });
  } catch {
    throw new UnavailableError('the Inlet worker is unreachable', WORKER_DOWN_RETRY_AFTER_SECONDS);
  }
});

function workerUrl(setting: string | undefined): URL {
  if (!setting) throw new MisconfiguredError('the edge setting INLET_WORKER_URL is not set');
  if (!URL.canParse(setting)) throw new MisconfiguredError('the edge setting INLET_WORKER_URL is not a URL');
  return new URL(setting);
}

/** Throws MisconfiguredError for what every push would fail on: a forwarder checks it at start. */
export function checkEdgeBindings(env: EdgeBindings): void {
  workerUrl(env.INLET_WORKER_URL);
  edgeMaxBodyBytes(env.INLET_MAX_BODY_BYTES);
  positiveSetting('INLET_REQUEST_TIMEOUT_MS', env.INLET_REQUEST_TIMEOUT_MS);
  edgeSources(env);
}

function edgeMaxBodyBytes(setting: string | undefined): number {
  return positiveSetting('INLET_MAX_BODY_BYTES', setting) ?? DEFAULT_MAX_BODY_BYTES;
}

/** A positive integer setting; undefined when unset or blank. */
function positiveSetting(name: string, setting: string | undefined): number | undefined {
  if (setting === undefined || setting === '') return undefined;
  const value = Number(setting);
  if (!Number.isSafeInteger(value) || value < 1) throw new MisconfiguredError(`the edge setting ${name} must be a positive integer`);
  return value;
}

app.notFound(onNotFound);
app.onError(errorHandler(undefined));

export default app;
