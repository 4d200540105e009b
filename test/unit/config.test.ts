import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConnectorsJson, readWorkerEnv } from '../../src/config/index.ts';
import { thrown } from '../support/thrown.ts';

const configError = (run: () => unknown): ConfigError => thrown(ConfigError, run);

const file = (...connectors: unknown[]) => JSON.stringify({ connectors });
const webhook = (name: string, config: Record<string, unknown> = {}) => ({
  name,
  config: { 'connector.class': 'webhook', topic: name, ...config },
});
const sink = (name: string, config: Record<string, unknown> = {}) => ({
  name,
  config: { 'connector.class': 'database-sink', topics: 'orders', 'primary.key.fields': 'id', ...config },
});

describe('parseConnectorsJson', () => {
  test('the shipped config/connectors.json is valid', () => {
    const text = readFileSync(join(import.meta.dir, '../../config/connectors.json'), 'utf8');
    const parsed = parseConnectorsJson(text, 'config/connectors.json');
    expect(parsed.connectors.map((c) => [c.name, c.config['connector.class']])).toEqual([
      ['orders', 'webhook'],
      ['orders-sink', 'database-sink'],
    ]);
  });

  test('a valid file parses with Connect-style defaults filled in', () => {
    const parsed = parseConnectorsJson(file(webhook('orders', { 'key.field': 'id' }), sink('orders-sink')), 'test.json');
    expect(parsed.connectors[0]).toEqual({
      name: 'orders',
      config: {
        'connector.class': 'webhook',
        topic: 'orders',
        'key.field': 'id',
        'required.fields': [],
        'topic.creation.default.partitions': 3,
        'exactly.once.support': 'requested',
        'dedupe.window.ms': 72 * 3600 * 1000,
        'dedupe.max.entries': 1_000_000,
      },
    });
    expect(parsed.connectors[1]).toEqual({
      name: 'orders-sink',
      config: {
        'connector.class': 'database-sink',
        topics: ['orders'],
        'primary.key.fields': ['id'],
        'table.name.format': '${topic}',
        'table.include.list': [],
        'table.max.columns': 500,
        'primary.key.mode': 'record_value',
        'topic.prefix.strip': [],
        'schema.evolution': 'basic',
        'auto.create': true,
        'delete.enabled': true,
        'truncate.enabled': false,
        'batch.size': 2000,
        'tasks.max': 1,
        'errors.retry.timeout': -1,
        'errors.retry.delay.max.ms': 60_000,
        'errors.tolerance': 'none',
        'errors.deadletterqueue.context.headers.enable': true,
        'errors.log.enable': true,
      },
    });
  });

  test('string-typed numbers, booleans and comma lists are accepted like Connect string maps', () => {
    const parsed = parseConnectorsJson(
      file(
        webhook('orders', { 'topic.creation.default.partitions': '6', 'dedupe.window.ms': '0', 'required.fields': 'a, b,,c' }),
        sink('orders-sink', { topics: 'orders, refunds', 'auto.create': 'false', 'batch.size': '3', 'tasks.max': '2' }),
      ),
      'test.json',
    );
    const [source, dbSink] = parsed.connectors;
    expect(source!.config).toMatchObject({ 'topic.creation.default.partitions': 6, 'dedupe.window.ms': 0, 'required.fields': ['a', 'b', 'c'] });
    expect(dbSink!.config).toMatchObject({ topics: ['orders', 'refunds'], 'auto.create': false, 'batch.size': 3, 'tasks.max': 2 });
    const trueString = parseConnectorsJson(file(sink('s', { 'auto.create': 'true' })), 'test.json');
    expect(trueString.connectors[0]!.config).toMatchObject({ 'auto.create': true });
  });

  test('a bad value fails with a ConfigError naming the source and the key path', () => {
    const error = configError(() => parseConnectorsJson(file(webhook('orders', { topic: 'not a topic!' })), 'conf.json'));
    expect(error.message).toBe('conf.json: connectors.0.config.topic: is not a valid Kafka topic name');
  });

  test('errors in a later connector name its index', () => {
    const error = configError(() =>
      parseConnectorsJson(file(webhook('orders'), sink('orders-sink', { 'batch.size': 0 })), 'conf.json'),
    );
    expect(error.message).toStartWith('conf.json: connectors.1.config.batch.size: ');
  });

  test('every bad key is reported, not only the first', () => {
    const error = configError(() =>
      parseConnectorsJson(file(sink('s', { 'auto.create': 'yes', 'tasks.max': '0', topics: [] })), 'conf.json'),
    );
    expect(error.message).toContain('connectors.0.config.auto.create: ');
    expect(error.message).toContain('connectors.0.config.tasks.max: ');
    expect(error.message).toContain('connectors.0.config.topics: must name at least one');
  });

  test('non-integer strings are rejected for integer settings', () => {
    for (const bad of ['3.5', 'abc', '', ' 3']) {
      const error = configError(() => parseConnectorsJson(file(sink('s', { 'batch.size': bad })), 'conf.json'));
      expect(error.message).toContain('connectors.0.config.batch.size');
    }
    configError(() => parseConnectorsJson(file(sink('s', { 'batch.size': 2.5 })), 'conf.json'));
  });

  test('a missing required key is named', () => {
    const error = configError(() =>
      parseConnectorsJson(file({ name: 's', config: { 'connector.class': 'database-sink', topics: 'orders' } }), 'conf.json'),
    );
    expect(error.message).toContain('connectors.0.config.primary.key.fields');
  });

  test('an unknown connector.class is named', () => {
    const error = configError(() => parseConnectorsJson(file({ name: 'x', config: { 'connector.class': 'jdbc' } }), 'conf.json'));
    expect(error.message).toContain('connectors.0.config.connector.class');
  });

  test('a connection.url of an unsupported database is rejected', () => {
    const error = configError(() => parseConnectorsJson(file(sink('s', { 'connection.url': 'mysql://db/x' })), 'conf.json'));
    expect(error.message).toBe('conf.json: connectors.0.config.connection.url: must start with sqlite: or postgres://');
  });

  test('connector names must be unique', () => {
    const error = configError(() => parseConnectorsJson(file(webhook('orders'), sink('orders')), 'conf.json'));
    expect(error.message).toBe('conf.json: connector names must be unique');
  });

  test('connector names may hold only letters, digits, ".", "_" and "-"', () => {
    const error = configError(() => parseConnectorsJson(file(webhook('orders/v2')), 'conf.json'));
    expect(error.message).toContain('connectors.0.name: may hold only letters');
  });

  test('text that is not JSON fails as such, naming the source', () => {
    const error = configError(() => parseConnectorsJson('{"connectors": [', 'conf.json'));
    expect(error.message).toStartWith('conf.json: not valid JSON (');
  });

  test('a file without a connectors array fails on "connectors"', () => {
    const error = configError(() => parseConnectorsJson('{"connectors": {}}', 'conf.json'));
    expect(error.message).toStartWith('conf.json: connectors: ');
  });
});

describe('readWorkerEnv', () => {
  test('an empty environment gives laptop defaults', () => {
    // toMatchObject: settings added later bring their own defaults; these must not change.
    expect(readWorkerEnv({})).toMatchObject({
      INLET_PORT: 8083,
      INLET_HOST: '127.0.0.1',
      KAFKA_BROKERS: '127.0.0.1:9092',
      INLET_DB_URL: 'sqlite:data/inlet.db',
      INLET_MAX_BODY_BYTES: 5 * 1024 * 1024,
      INLET_DELIVERY_TIMEOUT_MS: 8000,
      INLET_PRODUCER_QUEUE_MAX_MESSAGES: 200_000,
      INLET_CONSUMER_SESSION_TIMEOUT_MS: 10_000,
    });
  });

  test('set variables are parsed, empty ones fall back to defaults, and unrelated ones are ignored', () => {
    const env = readWorkerEnv({
      INLET_PORT: '9000',
      INLET_DB_URL: 'postgres://u:p@localhost/inlet',
      INLET_MAX_BODY_BYTES: '1024',
      INLET_DELIVERY_TIMEOUT_MS: '2500',
      INLET_HOST: '',
      PATH: '/usr/bin',
    });
    expect(env).toMatchObject({
      INLET_PORT: 9000,
      INLET_DB_URL: 'postgres://u:p@localhost/inlet',
      INLET_MAX_BODY_BYTES: 1024,
      INLET_DELIVERY_TIMEOUT_MS: 2500,
      INLET_HOST: '127.0.0.1',
    });
    expect(env).not.toHaveProperty('PATH');
  });

  test('a non-numeric INLET_PORT fails naming the variable', () => {
    const error = configError(() => readWorkerEnv({ INLET_PORT: 'abc' }));
    expect(error.message).toStartWith('invalid environment: INLET_PORT: must be an integer');
  });

  test('an INLET_PORT out of range fails naming the variable', () => {
    expect(configError(() => readWorkerEnv({ INLET_PORT: '70000' })).message).toContain('INLET_PORT: ');
  });

  test('an INLET_DB_URL of an unsupported database fails naming the variable', () => {
    const error = configError(() => readWorkerEnv({ INLET_DB_URL: 'mysql://x' }));
    expect(error.message).toBe('invalid environment: INLET_DB_URL: must start with sqlite: or postgres://');
  });

  test('a zero body limit and a zero delivery timeout are rejected, each naming its variable', () => {
    const error = configError(() => readWorkerEnv({ INLET_MAX_BODY_BYTES: '0', INLET_DELIVERY_TIMEOUT_MS: '0' }));
    expect(error.message).toContain('INLET_MAX_BODY_BYTES: ');
    expect(error.message).toContain('INLET_DELIVERY_TIMEOUT_MS: ');
  });

  test('INLET_PRODUCER_LINGER_MS takes fractions of a millisecond and rejects anything else', () => {
    expect(readWorkerEnv({}).INLET_PRODUCER_LINGER_MS).toBe(0.5);
    expect(readWorkerEnv({ INLET_PRODUCER_LINGER_MS: '0' }).INLET_PRODUCER_LINGER_MS).toBe(0);
    expect(readWorkerEnv({ INLET_PRODUCER_LINGER_MS: '2.5' }).INLET_PRODUCER_LINGER_MS).toBe(2.5);
    for (const linger of ['-1', 'soon', '1e3', '900001']) {
      expect(configError(() => readWorkerEnv({ INLET_PRODUCER_LINGER_MS: linger })).message).toContain('INLET_PRODUCER_LINGER_MS: ');
    }
  });

  test('a max poll interval shorter than the session timeout fails naming both', () => {
    const error = configError(() => readWorkerEnv({ INLET_CONSUMER_SESSION_TIMEOUT_MS: '10000', INLET_CONSUMER_MAX_POLL_INTERVAL_MS: '9000' }));
    expect(error.message).toBe('invalid environment: INLET_CONSUMER_MAX_POLL_INTERVAL_MS: must be at least INLET_CONSUMER_SESSION_TIMEOUT_MS (10000)');
    expect(readWorkerEnv({ INLET_CONSUMER_SESSION_TIMEOUT_MS: '6000', INLET_CONSUMER_MAX_POLL_INTERVAL_MS: '7000' }).INLET_CONSUMER_MAX_POLL_INTERVAL_MS).toBe(7000);
  });

  test("a headers' deadline past the request's fails naming both, on every runtime", () => {
    const error = configError(() => readWorkerEnv({ INLET_REQUEST_TIMEOUT_MS: '2000', INLET_HEADERS_TIMEOUT_MS: '2001' }));
    expect(error.message).toBe('invalid environment: INLET_HEADERS_TIMEOUT_MS: must be at most INLET_REQUEST_TIMEOUT_MS (2000)');
    // Left unset, the headers deadline follows a request deadline set under its default.
    expect(readWorkerEnv({ INLET_REQUEST_TIMEOUT_MS: '5000' }).INLET_HEADERS_TIMEOUT_MS).toBe(5000);
    // The defaults (10 s, 30 s) and equal deadlines are taken.
    expect(readWorkerEnv({}).INLET_HEADERS_TIMEOUT_MS).toBe(10000);
    expect(readWorkerEnv({ INLET_REQUEST_TIMEOUT_MS: '2000', INLET_HEADERS_TIMEOUT_MS: '2000' }).INLET_HEADERS_TIMEOUT_MS).toBe(2000);
  });

  test('a whitespace-only or non-decimal INLET_PORT fails instead of being read as a number', () => {
    for (const port of [' ', '1e3', '0x1F']) {
      expect(configError(() => readWorkerEnv({ INLET_PORT: port })).message).toStartWith('invalid environment: INLET_PORT: must be an integer');
    }
  });

  test('the migrations folder and the fault-injection switches are read through the schema, bad values named', () => {
    expect(readWorkerEnv({})).toMatchObject({ INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: false, INLET_FAULT_CRASH_AFTER_DB_COMMITS: 0 });
    expect(readWorkerEnv({})).not.toHaveProperty('INLET_MIGRATIONS_DIR', expect.anything());
    expect(
      readWorkerEnv({ INLET_MIGRATIONS_DIR: '/opt/inlet/migrations', INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: '1', INLET_FAULT_CRASH_AFTER_DB_COMMITS: '4' }),
    ).toMatchObject({ INLET_MIGRATIONS_DIR: '/opt/inlet/migrations', INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: true, INLET_FAULT_CRASH_AFTER_DB_COMMITS: 4 });
    expect(configError(() => readWorkerEnv({ INLET_FAULT_CRASH_AFTER_DB_COMMITS: 'soon' })).message).toStartWith('invalid environment: INLET_FAULT_CRASH_AFTER_DB_COMMITS:');
    expect(configError(() => readWorkerEnv({ INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: 'yes' })).message).toBe(
      'invalid environment: INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: must be "0" or "1"',
    );
  });

  test('only entry points read process.env (each hands it to its own parser): no other process.env in src', () => {
    const root = join(import.meta.dir, '..', '..', 'src');
    const readers = [...new Bun.Glob('**/*.ts').scanSync(root)].filter((path) => /process\??\.env\b/.test(readFileSync(join(root, path), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    // main.ts hands process.env to readWorkerEnv, edge-main.ts to the edge's schema, cli/main.ts to
    // the CLI's options; config/secrets.ts resolves ${env:NAME} config references.
    expect(readers.sort()).toEqual(['cli/main.ts', 'config/secrets.ts', 'edge-main.ts', 'main.ts']);
  });
});
