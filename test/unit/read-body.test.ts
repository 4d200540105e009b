import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { readBody } from '../../src/http/read-body.ts';

const app = new Hono().post('/', async (c) => c.json(await readBody(c.req, 8)));

function streamOf(...chunks: Uint8Array[]) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function read(body: BodyInit, headers: Record<string, string> = {}) {
  return (await app.request('/', { method: 'POST', body, headers, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) })).json();
}

describe('readBody', () => {
  test('a declared length within the limit is read whole', async () => {
    expect(await read('{"a":1}')).toEqual({ ok: true, text: '{"a":1}' });
  });

  test('a declared length over the limit is refused without reading', async () => {
    expect(await read('{"a":12345}')).toEqual({ ok: false, tooLarge: true });
  });

  test('a streamed body is counted as it arrives', async () => {
    const bytes = new TextEncoder().encode('12345');
    expect(await read(streamOf(bytes, bytes))).toEqual({ ok: false, tooLarge: true });
    expect(await read(streamOf(bytes))).toEqual({ ok: true, text: '12345' });
  });

  test('a character split across chunks is decoded once whole', async () => {
    const euro = new TextEncoder().encode('€');
    expect(await read(streamOf(euro.slice(0, 1), euro.slice(1)))).toEqual({ ok: true, text: '€' });
  });
});
