import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import {
  AlreadyExistsError,
  AuthenticationError,
  BadRequestError,
  InvalidConfigError,
  InvalidPushError,
  MisconfiguredError,
  NotFoundError,
  PushTooLargeError,
  ThrottledError,
  UnavailableError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
} from '../../src/errors/index.ts';
import { errorHandler, onNotFound } from '../../src/http/errors.ts';
import { createLogger } from '../../src/runtime/logger.ts';

/** The worker's own logger, its JSON lines kept. */
async function jsonLog() {
  const lines: string[] = [];
  const log = await createLogger({ level: 'info', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines };
}

/** Answers GET / by throwing `error` through the app's one error handler; `logged` is what it logged. */
async function answer(error: Error) {
  const { log, lines: logged } = await jsonLog();
  const app = new Hono()
    .get('/', () => {
      throw error;
    })
    .onError(errorHandler(log))
    .notFound(onNotFound);
  const response = await app.request('/');
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown>, logged };
}

describe('src/http/errors.ts: the one place errors become status codes', () => {
  test.each([
    [new NotFoundError('no connector "a"'), 404],
    [new AlreadyExistsError('connector "a" exists'), 409],
    [new BadRequestError('bad'), 400],
    [new InvalidConfigError('topic: required'), 400],
    [new UnsupportedMediaTypeError('JSON only'), 415],
    [new UnknownSourceError('no source connector named "x"'), 404],
    [new InvalidPushError('invalid record'), 400],
    [new AuthenticationError('authentication failed'), 401],
    [new PushTooLargeError('body exceeds the limit'), 413],
    [new MisconfiguredError('the edge setting is wrong'), 500],
  ] as const)('%p answers %d with Connect\'s body', async (error, status) => {
    const { status: got, body, headers } = await answer(error);
    expect(got).toBe(status);
    expect(body).toEqual({ error_code: status, message: error.message });
    expect(headers.get('retry-after')).toBeNull();
    expect(error.name).toBe(error.constructor.name);
  });

  test('a refusal carries its details into the body, beside error_code and message', async () => {
    const issues = [{ index: 1, path: 'after.id', message: 'required' }];
    const { status, body } = await answer(new InvalidPushError('invalid record: record 1', { issues }));
    expect(status).toBe(400);
    expect(body).toEqual({ error_code: 400, message: 'invalid record: record 1', issues });
    expect((await answer(new AuthenticationError('authentication failed: signature', { check: 'signature' }))).body.check).toBe('signature');
  });

  test('retry-later refusals say when, and hand the connection back when asked', async () => {
    const unavailable = await answer(new UnavailableError('Kafka is unreachable', 5));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(unavailable.headers.get('connection')).toBeNull();
    const throttled = await answer(new ThrottledError('too many bodies', 1, { closeConnection: true }));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('connection')).toBe('close');
  });

  test('anything else is a 500 that says nothing of its cause', async () => {
    const { status, body } = await answer(new Error('postgres://user:secret@db/x refused'));
    expect(status).toBe(500);
    expect(body).toEqual({ error_code: 500, message: 'internal error' });
  });

  test('the cause of a 500 is logged as one JSON line, with no URL password in its message or stack', async () => {
    const { logged } = await answer(new Error('postgres://user:s3cret-pw@db/x refused'));
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]!) as { level: string; msg: string; method: string; path: string; err: { message: string; stack: string } };
    expect(line).toMatchObject({ level: 'error', method: 'GET', path: '/' });
    expect(line.msg).toContain('postgres://user:[hidden]@db/x refused');
    expect(line.err.message).toBe('postgres://user:[hidden]@db/x refused');
    expect(line.err.stack).toContain('postgres://user:[hidden]@db/x');
    expect(logged[0]).not.toContain('s3cret-pw');
  });
});
