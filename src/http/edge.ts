// Edge entry (Cloudflare Workers, Deno Deploy, Bun): Kafka is out of reach here, so accepted
// pushes are forwarded to a Node worker that owns it. The worker's answer (200 only once Kafka has
// acknowledged, 4xx/5xx with the reason) goes back to the sender unchanged.
import { Hono } from 'hono';
import { InvalidPushError, MisconfiguredError, PushTooLargeError, UnavailableError } from '../errors/index.ts';
import { errorHandler, onNotFound } from './errors.ts';
import { readBodyBytes, UNREADABLE_BODY } from './read-body.ts';

/** `INLET_MAX_BODY_BYTES`: the body limit, as on the worker (default 5 MiB). */
type Bindings = { INLET_WORKER_URL: string; INLET_MAX_BODY_BYTES?: string };

const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
const WORKER_DOWN_RETRY_AFTER_SECONDS = 5;

// Hop-by-hop and connection headers stay at the edge; everything else (signatures, delivery ids,
// Authorization, Idempotency-Key) is what the worker verifies and must arrive untouched.
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'proxy-authorization', 'proxy-connection']);

const app = new Hono<{ Bindings: Bindings }>();

app.post('/ingest/:connector', async (c) => {
  const target = new URL(`/ingest/${encodeURIComponent(c.req.param('connector'))}`, c.env.INLET_WORKER_URL);
  const headers = new Headers();
  c.req.raw.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.set(name, value);
  });
  const maxBytes = c.env.INLET_MAX_BODY_BYTES ? Number(c.env.INLET_MAX_BODY_BYTES) : DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new MisconfiguredError('the edge setting INLET_MAX_BODY_BYTES must be a positive integer');
  // Bytes, not text: they reach the worker as sent, which verifies signatures over them and
  // refuses what is not UTF-8.
  const read = await readBodyBytes(c.req, maxBytes);
  if (!read.ok) {
    throw read.refusal === 'too-large' ? new PushTooLargeError(`body exceeds the limit of ${maxBytes} bytes`) : new InvalidPushError(UNREADABLE_BODY);
  }
  try {
    return await fetch(target, { method: 'POST', headers, body: read.bytes });
  } catch {
    throw new UnavailableError('the Inlet worker is unreachable', WORKER_DOWN_RETRY_AFTER_SECONDS);
  }
});

app.notFound(onNotFound);
app.onError(errorHandler(undefined));

export default app;
