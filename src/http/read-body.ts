import type { HonoRequest } from 'hono';

export type BodyRead = { ok: true; text: string } | { ok: false; tooLarge: true };

const TOO_LARGE = { ok: false, tooLarge: true } as const;

/**
 * Reads a request body as text, refusing one over `maxBytes`.
 *
 * Not hono's bodyLimit: that middleware touches `req.raw.body`, which makes @hono/node-server build
 * a full WHATWG Request with a web stream around every push (a fifth of the worker's CPU at 1 event
 * a request). With a Content-Length the length is checked up front and the body is read through
 * `text()`, which the Node adapter serves straight from the socket; the HTTP parser never reads
 * past the declared length. Only chunked bodies are streamed and counted.
 */
export async function readBody(req: HonoRequest, maxBytes: number): Promise<BodyRead> {
  const length = req.header('content-length');
  if (length !== undefined && req.header('transfer-encoding') === undefined) {
    if (Number(length) > maxBytes) return TOO_LARGE;
    return { ok: true, text: await req.text() };
  }
  const stream = req.raw.body;
  if (!stream) return { ok: true, text: '' };
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return TOO_LARGE;
    }
    text += decoder.decode(value, { stream: true });
  }
  return { ok: true, text: text + decoder.decode() };
}
