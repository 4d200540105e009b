import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { readBody } from '../../src/http/read-body.ts';
import { ReadingBudget } from '../../src/http/reading-budget.ts';

const budget = new ReadingBudget(1024);
const app = new Hono().post('/', async (c) => {
  const reservation = budget.open();
  return c.json(await readBody(c.req, 8, reservation).finally(reservation.release));
});

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

const NOT_UTF8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]); // {"a":<0xff>}

describe('readBody', () => {
  test('a declared length within the limit is read whole', async () => {
    expect(await read('{"a":1}')).toEqual({ ok: true, text: '{"a":1}', bytes: 7 });
  });

  test('a declared length over the limit is refused without reading', async () => {
    expect(await read('{"a":12345}')).toEqual({ ok: false, refusal: 'too-large' });
  });

  test('a streamed body is counted as it arrives', async () => {
    const bytes = new TextEncoder().encode('12345');
    expect(await read(streamOf(bytes, bytes))).toEqual({ ok: false, refusal: 'too-large' });
    expect(await read(streamOf(bytes))).toEqual({ ok: true, text: '12345', bytes: 5 });
  });

  test('a character split across chunks is decoded once whole', async () => {
    const euro = new TextEncoder().encode('€');
    expect(await read(streamOf(euro.slice(0, 1), euro.slice(1)))).toEqual({ ok: true, text: '€', bytes: 3 });
  });

  test('bytes that are not UTF-8 are refused, declared or streamed, not replaced', async () => {
    expect(await read(NOT_UTF8)).toEqual({ ok: false, refusal: 'not-utf8' });
    expect(await read(streamOf(NOT_UTF8.slice(0, 3), NOT_UTF8.slice(3)))).toEqual({ ok: false, refusal: 'not-utf8' });
    // A character cut off at the end of the body.
    expect(await read(streamOf(new TextEncoder().encode('€').slice(0, 2)))).toEqual({ ok: false, refusal: 'not-utf8' });
  });

  test('every read gives its reservation back', () => {
    expect(budget.usage).toBe(0);
  });
});

describe('ReadingBudget', () => {
  test('refuses room past its bound while others hold some, and takes it back on release', () => {
    const reading = new ReadingBudget(100);
    const first = reading.open();
    expect(first.grow(60)).toBe(true);
    const second = reading.open();
    expect(second.grow(50)).toBe(false);
    expect(second.grow(40)).toBe(true);
    expect(reading.usage).toBe(100);
    first.release();
    first.release();
    expect(reading.usage).toBe(40);
    expect(second.grow(60)).toBe(true);
    second.release();
    expect(reading.usage).toBe(0);
  });

  test('lets one body larger than the whole budget through when nothing else is read', () => {
    const reading = new ReadingBudget(100);
    const alone = reading.open();
    expect(alone.grow(150)).toBe(true);
    expect(reading.open().grow(1)).toBe(false);
    alone.release();
    expect(reading.open().grow(1)).toBe(true);
  });
});
