import { describe, expect, test } from 'bun:test';
import { createLogger, KnownSecrets, secretValuesOf } from '../../src/runtime/logger.ts';

/** The worker's logger writing JSON lines into memory; `parsed` reads every one of them back. */
async function jsonLogger(level: 'info' | 'warn' = 'info', secrets?: KnownSecrets) {
  const lines: string[] = [];
  const log = await createLogger({ level, pretty: false, secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the worker's logger (pino behind the Log port)", () => {
  test('writes one JSON object a line, with the level as a word, the time and the message', async () => {
    const { log, parsed } = await jsonLogger();
    log.info('started');
    log.warn({ partition: 2 }, 'slow');
    expect(parsed()).toMatchObject([
      { level: 'info', msg: 'started' },
      { level: 'warn', msg: 'slow', partition: 2 },
    ]);
    expect(typeof parsed()[0]!.time).toBe('string');
  });

  test('child loggers carry their bindings (the connector and task) on every line', async () => {
    const { log, parsed } = await jsonLogger();
    log.child({ connector: 'orders-sink' }).child({ task: 0 }).error('task failed');
    expect(parsed()[0]).toMatchObject({ connector: 'orders-sink', task: 0, msg: 'task failed', level: 'error' });
  });

  test('lines below the level are not written', async () => {
    const { log, lines } = await jsonLogger('warn');
    log.info('quiet');
    log.debug('quieter');
    log.warn('heard');
    expect(lines).toHaveLength(1);
  });

  test('whatever the caller passes, secrets and URL passwords never reach a line', async () => {
    const { log, lines, parsed } = await jsonLogger();
    const config = {
      'connector.class': 'stripe',
      secrets: ['whsec_top-secret-1'],
      'auth.secrets': 'hmac-secret-2',
      'auth.tokens': ['bearer-token-3'],
      'connection.url': 'postgres://inlet:db-password-4@127.0.0.1:5432/shop',
    };
    log.info({ config, nested: { deeper: [{ password: 'pw-5' }] } }, 'connector config');
    log.error('cannot connect to postgres://inlet:db-password-6@db/shop?sslmode=disable&password=db-password-7');
    log.child({ url: 'postgresql://u:db-password-8@h/d' }).warn('bound');
    log.error({ err: new Error('refused: postgres://inlet:db-password-9@db/x') }, 'failed');
    for (const secret of ['top-secret-1', 'hmac-secret-2', 'bearer-token-3', 'db-password-4', 'pw-5', 'db-password-6', 'db-password-7', 'db-password-8', 'db-password-9']) {
      expect(lines.join('')).not.toContain(secret);
    }
    const [first, second, third, fourth] = parsed();
    expect(first!.config).toEqual({
      'connector.class': 'stripe',
      secrets: '[hidden]',
      'auth.secrets': '[hidden]',
      'auth.tokens': '[hidden]',
      'connection.url': 'postgres://inlet:[hidden]@127.0.0.1:5432/shop',
    });
    expect(second!.msg).toBe('cannot connect to postgres://inlet:[hidden]@db/shop?sslmode=disable&password=[hidden]');
    expect(third!.url).toBe('postgresql://u:[hidden]@h/d');
    expect(fourth!.err).toMatchObject({ type: 'Error', message: 'refused: postgres://inlet:[hidden]@db/x' });
  });

  test('credential headers, API keys and names ending in token, secret, password or key are hidden at any depth, in any case', async () => {
    const { log, lines, parsed } = await jsonLogger();
    const fields = {
      headers: { Authorization: 'Bearer hdr-secret-1', 'Proxy-Authorization': 'Basic hdr-secret-2', cookie: 'sid=hdr-secret-3', 'Set-Cookie': 'sid=hdr-secret-4', 'x-api-key': 'key-secret-5', 'content-type': 'application/json' },
      env: { INLET_API_TOKEN: 'env-secret-6', DB_PASSWORD: 'env-secret-7', DB_PASSWD: 'env-secret-8', GOOGLE_CREDENTIALS: 'env-secret-9', AWS_SECRET_ACCESS_KEY: 'env-secret-16', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', INLET_PORT: '8083' },
      deep: { a: { b: { c: [{ apiToken: 'camel-secret-10', apiKey: 'camel-secret-11', signing_key: 'key-secret-12', 'tls.private.key': 'key-secret-13', clientSecret: 'camel-secret-14' }] } } },
    };
    log.info(fields, 'request');
    log.child({ API_KEY: 'child-secret-15' }).info('bound');
    const text = lines.join('');
    for (let n = 1; n <= 16; n++) expect(text).not.toMatch(new RegExp(`secret-${n}\\b`));
    const [first, second] = parsed();
    expect(first).toMatchObject({
      headers: { Authorization: '[hidden]', 'Proxy-Authorization': '[hidden]', cookie: '[hidden]', 'Set-Cookie': '[hidden]', 'x-api-key': '[hidden]', 'content-type': 'application/json' },
      env: { INLET_API_TOKEN: '[hidden]', DB_PASSWORD: '[hidden]', DB_PASSWD: '[hidden]', GOOGLE_CREDENTIALS: '[hidden]', AWS_SECRET_ACCESS_KEY: '[hidden]', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', INLET_PORT: '8083' },
      deep: { a: { b: { c: [{ apiToken: '[hidden]', apiKey: '[hidden]', signing_key: '[hidden]', 'tls.private.key': '[hidden]', clientSecret: '[hidden]' }] } } },
    });
    expect(second!.API_KEY).toBe('[hidden]');
  });

  test('fields that only look alike are kept: a record key, a partition key, the key field, a token count', async () => {
    const { log, parsed } = await jsonLogger();
    log.info({ key: 'order-1', 'key.field': 'id', 'primary.key.fields': ['id'], partitionKey: 'p', tokenCount: 3, topic: 'tokens-topic' }, 'record');
    expect(parsed()[0]).toMatchObject({ key: 'order-1', 'key.field': 'id', 'primary.key.fields': ['id'], partitionKey: 'p', tokenCount: 3, topic: 'tokens-topic' });
  });

  test('credentials quoted in message text are hidden: an Authorization header, token-like query parameters', async () => {
    const { log, lines, parsed } = await jsonLogger();
    log.warn('upstream said 401 to Authorization: Bearer text-secret-1abc');
    log.warn({ detail: 'GET https://api.example.com/v1?api_key=text-secret-2abc&limit=5&access_token=text-secret-3abc' }, 'fetch failed');
    // The REST API's own advice names the variable, not a value: it stays readable.
    log.info('the REST API needs "Authorization: Bearer <INLET_API_TOKEN>"');
    const text = lines.join('');
    for (const secret of ['text-secret-1abc', 'text-secret-2abc', 'text-secret-3abc']) expect(text).not.toContain(secret);
    const [first, second, third] = parsed();
    expect(first!.msg).toBe('upstream said 401 to Authorization: Bearer [hidden]');
    expect(second!.detail).toBe('GET https://api.example.com/v1?api_key=[hidden]&limit=5&access_token=[hidden]');
    expect(third!.msg).toBe('the REST API needs "Authorization: Bearer <INLET_API_TOKEN>"');
  });

  test('secret values the process knows are scrubbed under any key and inside any text, errors included', async () => {
    const secrets = new KnownSecrets();
    secrets.add(secretValuesOf({ INLET_API_TOKEN: 'the-api-token-value', INLET_DB_URL: 'postgres://inlet:url-password-value@db/x', INLET_PORT: '8083', HOME: '/home/inlet' }));
    const { log, lines, parsed } = await jsonLogger('info', secrets);
    log.info({ note: 'compare the-api-token-value', list: ['url-password-value'] }, 'token was the-api-token-value');
    // Added later, as a connector starts: lines from then on lose it too.
    secrets.add(secretValuesOf({ 'auth.secrets': ['connector-hmac-secret', 'whsec_c3RhbmRhcmQtc2VjcmV0LWI2NA=='], 'key.field': 'identifier' }));
    log.error({ err: new Error('signature mismatch with connector-hmac-secret'), raw: 'c3RhbmRhcmQtc2VjcmV0LWI2NA==' }, 'verify failed');
    const text = lines.join('');
    for (const secret of ['the-api-token-value', 'url-password-value', 'connector-hmac-secret', 'c3RhbmRhcmQtc2VjcmV0LWI2NA==']) expect(text).not.toContain(secret);
    const [first, second] = parsed();
    expect(first).toMatchObject({ msg: 'token was [hidden]', note: 'compare [hidden]', list: ['[hidden]'] });
    expect(second).toMatchObject({ err: { message: 'signature mismatch with [hidden]' }, raw: '[hidden]' });
    // Not secrets: a non-secret name's value, and the short ones (scrubbing "8083" would garble every line).
    log.info('identifier on 8083 at /home/inlet');
    expect(parsed()[2]!.msg).toBe('identifier on 8083 at /home/inlet');
    secrets.add(['short']);
    log.info('a short value stays');
    expect(parsed()[3]!.msg).toBe('a short value stays');
  });
});

describe('the logger at a terminal (pino-pretty)', () => {
  test('writes human lines, with the level and the bindings, and redacts as the JSON lines do', () => {
    // createLogger picks pino-pretty when stdout is a terminal; it writes to the real stdout, so
    // a child process runs it and the test reads what it printed.
    const script = `
      const { createLogger, KnownSecrets } = await import(${JSON.stringify(new URL('../../src/runtime/logger.ts', import.meta.url).pathname)});
      const secrets = new KnownSecrets();
      secrets.add(['resolved-secret-value-123']);
      const log = await createLogger({ level: 'info', pretty: true, secrets });
      log.child({ connector: 'orders-sink', task: 0 }).warn(
        { 'connection.url': 'postgres://inlet:pg-password-456@db/inlet', authorization: 'Bearer api-token-789', note: 'resolved-secret-value-123' },
        'batch failed',
      );
      log.debug('not at info');
    `;
    const run = Bun.spawnSync([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
    const out = run.stdout.toString();
    expect({ exit: run.exitCode, stderr: run.stderr.toString() }).toEqual({ exit: 0, stderr: '' });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: batch failed$/m);
    expect(out).toContain('connector: "orders-sink"');
    expect(out.trimStart().startsWith('{')).toBe(false);
    expect(out).not.toContain('not at info');
    for (const secret of ['pg-password-456', 'api-token-789', 'resolved-secret-value-123']) expect(out).not.toContain(secret);
  });
});
