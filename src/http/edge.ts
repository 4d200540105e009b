// Edge entry (Cloudflare Workers, Deno Deploy, Bun): Kafka is out of reach here, so accepted
// pushes are forwarded to a Node worker that owns it. The worker's answer (200 only once Kafka has
// acknowledged, 4xx/5xx with the reason) goes back to the sender unchanged.
import { Hono } from 'hono';
import { errorBody } from './errors.ts';

type Bindings = { INLET_WORKER_URL: string };

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
  try {
    return await fetch(target, { method: 'POST', headers, body: await c.req.arrayBuffer() });
  } catch {
    c.header('Retry-After', '5');
    return errorBody(c, 503, 'the Inlet worker is unreachable');
  }
});

app.notFound((c) => errorBody(c, 404, `no route for ${c.req.method} ${c.req.path}`));

export default app;
