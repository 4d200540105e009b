import { describe, expect, test } from 'bun:test';
import { createLogger } from '../../src/runtime/logger.ts';

/** The worker's logger writing JSON lines into memory; `parsed` reads every one of them back. */
async function jsonLogger(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const log = await createLogger({ level, pretty: false, destination: { write: (line: string) => void lines.push(line) } });
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
});
