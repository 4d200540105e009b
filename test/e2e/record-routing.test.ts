import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, readRecords, sharedKafka, type KafkaBroker, type TopicRecord } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// Debezium change events whose `source.table` picks the target table (table.name.format
// `${source.table}`), applied through a real worker into PostgreSQL and SQLite. A sender names
// Inlet's own offsets table, a table outside table.include.list, a 64-byte column name and more
// columns than table.max.columns; each of those is an errant record naming the table or field,
// and the good records around them land.

const LONG = 'é'.repeat(32); // 32 characters, 64 UTF-8 bytes: one past PostgreSQL's 63
const FITS = `${'é'.repeat(31)}x`; // 63 bytes
const SENTINEL = { connector: 'sentinel', topic: 'sentinel', kafka_partition: 0, next_offset: 42 };

describe('records that choose their table', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let strictUrl: string;
  let sqlitePath: string;
  const topic = `routing-${Date.now()}`;
  let lsn = 1;

  const event = (table: string, op: 'c' | 't', after: Row | null = null) => ({
    before: null,
    after,
    op,
    ts_ms: Date.now(),
    source: { db: 'shop', schema: 'public', table, lsn: lsn++ },
  });

  const sink = (url: string, tolerance: Record<string, string>) => ({
    'connector.class': 'database-sink',
    topics: topic,
    'connection.url': url,
    'table.name.format': '${source.table}',
    // inlet_.*: even a list that matches Inlet's own tables does not make them a target.
    'table.include.list': 'customers,wide_.*,inlet_.*',
    'table.max.columns': 6,
    'primary.key.fields': 'id',
    'truncate.enabled': true,
    ...tolerance,
  });
  const tolerant = (dlq: string) => ({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq });

  const pgIds = async (url: string, table: string) => (await postgresRows(url, `SELECT id FROM ${table} ORDER BY id`))?.map((r) => Number(r.id));
  const sqliteIds = (table: string) => sqliteRows(sqlitePath, `SELECT id FROM ${table} ORDER BY id`)?.map((r) => Number(r.id));
  const taskStatus = async (name: string) =>
    ((await (await fetch(`${worker.url}/connectors/${name}/status`)).json()) as { tasks: { state: string; trace?: string }[] }).tasks[0];

  beforeAll(async () => {
    const [broker, pg] = await Promise.all([sharedKafka(), sharedPostgres()]);
    kafka = broker;
    pgUrl = await pg.createDatabase(`routing_${Date.now()}`);
    strictUrl = await pg.createDatabase(`routing_strict_${Date.now()}`);
    sqlitePath = join(tempDir('routing'), 'target.db');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        // One partition: records keep the order they were posted in.
        { name: 'cdc', config: { 'connector.class': 'debezium', topic, 'key.fields': 'id', 'topic.creation.default.partitions': 1 } },
        { name: 'route-pg', config: sink(pgUrl, tolerant(`${topic}.pg-dlq`)) },
        { name: 'route-sqlite', config: sink(`sqlite:${sqlitePath}`, tolerant(`${topic}.sqlite-dlq`)) },
        { name: 'route-strict', config: sink(strictUrl, {}) },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('${source.table} in table.name.format without table.include.list is refused when the connector is created', async () => {
    const { 'table.include.list': _, ...unlisted } = sink(pgUrl, {});
    const response = await worker.post('/connectors', { name: 'unlisted', config: unlisted });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error_code: number; message: string };
    expect(body.error_code).toBe(400);
    expect(body.message).toContain('table.include.list: is required when table.name.format holds ${source.');
    expect((await fetch(`${worker.url}/connectors/unlisted`)).status).toBe(404);
  });

  test('Inlet\'s offsets table, unlisted tables, over-long names and too many columns go to the DLQ named; the rest lands', async () => {
    expect((await worker.post('/ingest/cdc', event('customers', 'c', { id: 1, name: 'a' }))).status).toBe(200);
    await waitFor(
      'customer 1 in all three databases',
      async () => (await pgIds(pgUrl, 'customers'))?.[0] === 1 && (await pgIds(strictUrl, 'customers'))?.[0] === 1 && sqliteIds('customers')?.[0] === 1,
      { timeoutMs: 60_000 },
    );
    // A row of another connector's offsets: a truncate of the table would take it along.
    for (const url of [pgUrl, strictUrl]) {
      await postgresRows(url, `INSERT INTO inlet_sink_offsets (connector, topic, kafka_partition, next_offset) VALUES ('sentinel', 'sentinel', 0, 42)`);
    }
    const sqlite = new Database(sqlitePath);
    sqlite.run('PRAGMA busy_timeout = 10000');
    sqlite.run(`INSERT INTO inlet_sink_offsets VALUES ('sentinel', 'sentinel', 0, 42, 0)`);
    sqlite.close();
    const offsetColumns = { pg: await pgColumns(pgUrl), sqlite: sqliteColumns(sqlitePath) };
    expect(offsetColumns.pg).toEqual(['connector', 'kafka_partition', 'next_offset', 'topic', 'updated_at']);

    const start = (await endOffsets(kafka, topic)).get(0)!;
    const events = [
      event('inlet_sink_offsets', 't'),
      event('inlet_sink_offsets', 'c', { id: 7, connector: 'evil', topic: 'x', kafka_partition: 0, next_offset: 0 }),
      event('secrets', 'c', { id: 1, card: '4242' }),
      event('customers', 'c', { id: 2, name: 'b' }),
      event('wide_names', 'c', { id: 1, [LONG]: 'long' }),
      event('wide_names', 'c', { id: 2, [FITS]: 'fits' }),
      event('wide_things', 'c', { id: 1, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }),
      event('customers', 'c', { id: 5, name: 'e', c1: 1, c2: 2, c3: 3 }),
      // customers has id, name, c1-c3: c4 is its sixth column, c5 would be its seventh.
      event('customers', 'c', { id: 6, name: 'f', c4: 4, c5: 5 }),
      event('customers', 'c', { id: 7, name: 'g' }),
    ];
    const response = await worker.post('/ingest/cdc', events);
    expect(response.status).toBe(200);
    const at = (index: number) => `${topic}/0@${start + index}`;

    const sinkOffset = (rows: Row[] | null, connector: string) => Number(rows?.find((r) => r.connector === connector)?.next_offset ?? -1);
    const end = start + events.length;
    try {
      await waitFor(
        'both tolerant sinks past every event',
        async () =>
          sinkOffset(await postgresRows(pgUrl, 'SELECT * FROM inlet_sink_offsets'), 'route-pg') === end &&
          sinkOffset(sqliteRows(sqlitePath, 'SELECT * FROM inlet_sink_offsets'), 'route-sqlite') === end,
        { timeoutMs: 90_000, intervalMs: 250 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- worker ---\n${worker.output().slice(-4000)}`);
    }

    // Inlet's offsets table is as it was: rows, columns and all.
    const pgOffsets = (await postgresRows(pgUrl, 'SELECT connector, topic, kafka_partition, next_offset FROM inlet_sink_offsets ORDER BY connector'))!;
    expect(pgOffsets.map((r) => ({ ...r, next_offset: Number(r.next_offset) }))).toEqual([
      { connector: 'route-pg', topic, kafka_partition: 0, next_offset: end },
      SENTINEL,
    ]);
    expect(sqliteRows(sqlitePath, 'SELECT connector, topic, kafka_partition, next_offset FROM inlet_sink_offsets ORDER BY connector')).toEqual([
      { connector: 'route-sqlite', topic, kafka_partition: 0, next_offset: end },
      SENTINEL,
    ]);
    expect(await pgColumns(pgUrl)).toEqual(offsetColumns.pg);
    expect(sqliteColumns(sqlitePath)).toEqual(offsetColumns.sqlite);
    // Nothing outside the include list, or wider than the column cap, was created.
    for (const table of ['secrets', 'wide_things']) {
      await expect(postgresRows(pgUrl, `SELECT * FROM ${table}`)).rejects.toThrow('does not exist');
      expect(() => sqliteRows(sqlitePath, `SELECT * FROM ${table}`)).toThrow('no such table');
    }

    // The good records around the errant ones landed. SQLite keeps a 64-byte name whole.
    expect(await pgIds(pgUrl, 'customers')).toEqual([1, 2, 5, 7]);
    expect(sqliteIds('customers')).toEqual([1, 2, 5, 7]);
    expect(await pgIds(pgUrl, 'wide_names')).toEqual([2]);
    expect(sqliteIds('wide_names')).toEqual([1, 2]);
    expect((await postgresRows(pgUrl, 'SELECT * FROM wide_names'))![0]![FITS]).toBe('fits');
    expect(await pgColumns(pgUrl, 'customers')).toEqual(['c1', 'c2', 'c3', 'id', 'name']);

    // Each errant record is in its connector's DLQ as consumed, naming the table or the field.
    const reasons = (letters: TopicRecord[]) =>
      letters.map((l) => [l.headers['__connect.errors.offset'], l.headers['__connect.errors.exception.message']]);
    const owned = 'table "inlet_sink_offsets" belongs to Inlet and is never a sink\'s target';
    const expected = (connector: 'pg' | 'sqlite') =>
      [
        [0, owned],
        [1, owned],
        [2, 'table "secrets" is not in table.include.list'],
        ...(connector === 'pg' ? [[4, `field "${LONG}" is 64 bytes, longer than the 63 the database keeps in a column name`]] : []),
        [6, 'field "f" would be column 7 of table "wide_things", past table.max.columns (6)'],
        [8, 'cannot be applied: field "c5" would be column 7 of table "customers", past table.max.columns (6)'],
      ].map(([index, reason]) => [String(start + Number(index)), `${at(Number(index))}: ${reason}`]);
    const pgLetters = await readRecords(kafka, `${topic}.pg-dlq`, 6);
    const sqliteLetters = await readRecords(kafka, `${topic}.sqlite-dlq`, 5);
    expect(reasons(pgLetters)).toEqual(expected('pg'));
    expect(reasons(sqliteLetters)).toEqual(expected('sqlite'));
    expect((await endOffsets(kafka, `${topic}.pg-dlq`)).get(0)).toBe(6);
    expect((await endOffsets(kafka, `${topic}.sqlite-dlq`)).get(0)).toBe(5);
    expect(JSON.parse(pgLetters[1]!.value).after.connector).toBe('evil');
    expect(pgLetters.every((l) => l.headers['__connect.errors.stage'] === 'TASK_PUT' && l.headers['__connect.errors.connector.name'] === 'route-pg')).toBe(true);
    expect(worker.proc.exitCode).toBeNull();
    expect((await taskStatus('route-pg'))?.state).toBe('RUNNING');
    expect((await taskStatus('route-sqlite'))?.state).toBe('RUNNING');

    // errors.tolerance=none: the task fails on the first errant record, naming where it is and the
    // table, and applies nothing past it; the offsets table keeps its rows.
    const failed = await waitFor('the strict sink FAILED', async () => {
      const task = await taskStatus('route-strict');
      return task?.state === 'FAILED' && task;
    }, { timeoutMs: 60_000 });
    expect(failed.trace).toContain(`${at(0)}: ${owned}`);
    expect(await pgIds(strictUrl, 'customers')).toEqual([1]);
    expect((await postgresRows(strictUrl, `SELECT next_offset FROM inlet_sink_offsets WHERE connector = 'sentinel'`))?.map((r) => Number(r.next_offset))).toEqual([42]);

    // Not failed for good: once its config sets errant records aside, it moves on from there.
    const strictDlq = `${topic}.strict-dlq`;
    const put = await fetch(`${worker.url}/connectors/route-strict/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sink(strictUrl, tolerant(strictDlq))),
    });
    expect(put.status).toBe(200);
    await waitFor('the strict sink to apply the rest', async () => (await pgIds(strictUrl, 'customers'))?.join() === '1,2,5,7', { timeoutMs: 60_000 });
    expect(reasons(await readRecords(kafka, strictDlq, 6))).toEqual(expected('pg'));
    expect((await taskStatus('route-strict'))?.state).toBe('RUNNING');
  }, 300_000);
});

async function pgColumns(url: string, table = 'inlet_sink_offsets'): Promise<string[]> {
  const rows = await postgresRows(url, `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY column_name`);
  if (!rows || rows.length === 0) throw new Error(`no columns found for ${table}`);
  return rows.map((r) => String(r.column_name));
}

function sqliteColumns(path: string): string[] {
  const rows = sqliteRows(path, `SELECT name FROM pragma_table_info('inlet_sink_offsets') ORDER BY name`);
  if (!rows || rows.length === 0) throw new Error('no columns found for inlet_sink_offsets');
  return rows.map((r) => String(r.name));
}
