import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { endOffsets, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { tempDir, waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker.ts';

// A scripted CDC history of one source table, `customers`, applied by two sink connectors on the
// same topic, one into PostgreSQL and one into SQLite. Most events go through the debezium source
// (keyed `{"id":…}`, a tombstone after each delete). Some arrive as Kafka Connect's JsonConverter
// writes them with schemas on, `{schema, payload}`: the debezium source unwraps what it is posted,
// so those go through a webhook source on the same topic, which keeps the value as posted (and has
// no key: the sinks key rows by the value's `id`, primary.key.mode=record_value).

const COLUMNS = ['id', 'name', 'score', 'email', 'joined', 'vip'] as const;
type SourceRow = Partial<Record<(typeof COLUMNS)[number], unknown>> & { id: number };

/** The source table as the history leaves it: the test's own model, independent of Inlet. */
class SourceTable {
  readonly rows = new Map<number, SourceRow>();
  upsert(row: SourceRow) {
    this.rows.set(row.id, row);
  }
  delete(id: number) {
    this.rows.delete(id);
  }
  /** Rows as the target tables should hold them: every column, absent fields null, by id. */
  expected(): Row[] {
    return [...this.rows.values()]
      .sort((a, b) => a.id - b.id)
      .map((row) =>
        Object.fromEntries(
          COLUMNS.map((c) => {
            const value = row[c] ?? null;
            // `joined` is a date in the source: Debezium sends it as days since the epoch.
            if (c === 'joined' && typeof value === 'number') return [c, new Date(value * 86_400_000).toISOString().slice(0, 10)];
            if (typeof value === 'boolean') return [c, value ? 1 : 0];
            return [c, value];
          }),
        ),
      );
  }
}

const rowSchema = {
  type: 'struct',
  name: 'inventory.public.customers.Value',
  optional: true,
  fields: [
    { field: 'id', type: 'int32', optional: false },
    { field: 'name', type: 'string', optional: true },
    { field: 'score', type: 'int32', optional: true },
    { field: 'email', type: 'string', optional: true },
    { field: 'joined', type: 'int32', name: 'io.debezium.time.Date', version: 1, optional: true },
    { field: 'vip', type: 'boolean', optional: true },
  ],
};
const envelopeSchema = {
  type: 'struct',
  name: 'inventory.public.customers.Envelope',
  optional: false,
  fields: [
    { ...rowSchema, field: 'before' },
    { ...rowSchema, field: 'after' },
    { type: 'struct', field: 'source', optional: false, fields: [{ field: 'db', type: 'string' }, { field: 'table', type: 'string' }, { field: 'lsn', type: 'int64' }] },
    { type: 'string', field: 'op', optional: false },
    { type: 'int64', field: 'ts_ms', optional: true },
  ],
};

/** Both tables read alike: numbers as numbers, booleans as 0/1, dates as YYYY-MM-DD. */
function normalise(rows: Row[] | null): Row[] | null {
  return (
    rows?.map((row) =>
      Object.fromEntries(
        COLUMNS.map((c) => {
          const value = row[c];
          if (typeof value === 'boolean') return [c, value ? 1 : 0];
          if (typeof value === 'string' && (c === 'id' || c === 'score')) return [c, Number(value)];
          return [c, value ?? null];
        }),
      ),
    ) ?? null
  );
}

describe('a scripted CDC history applied to PostgreSQL and SQLite', () => {
  let kafka: KafkaBroker;
  let worker: WorkerProcess;
  let pgUrl: string;
  let sqlitePath: string;
  const topic = `cdc-history-${Date.now()}`;
  const model = new SourceTable();
  let lsn = 1000;

  const sink = (name: string, url: string) => ({
    name,
    config: {
      'connector.class': 'database-sink',
      topics: topic,
      'connection.url': url,
      'table.name.format': 'customers',
      'primary.key.mode': 'record_value',
      'primary.key.fields': 'id',
      'batch.size': 3,
    },
  });

  /** One change event, posted plain to the debezium source or wrapped to the webhook source; the model follows it. */
  async function change(op: 'r' | 'c' | 'u' | 'd', row: SourceRow, { wrapped = false, before = null as SourceRow | null } = {}) {
    const event = {
      before: op === 'd' ? row : before,
      after: op === 'd' ? null : row,
      source: { db: 'inventory', schema: 'public', table: 'customers', lsn: lsn++ },
      op,
      ts_ms: Date.now(),
    };
    const response = wrapped
      ? await worker.post('/ingest/cdc-wrapped', { schema: envelopeSchema, payload: event }, { 'idempotency-key': `evt-${lsn}` })
      : await worker.post('/ingest/cdc', event);
    expect(response.status).toBe(200);
    if (op === 'd') model.delete(row.id);
    else model.upsert(row);
  }

  beforeAll(async () => {
    const [broker, pg] = await Promise.all([sharedKafka(), sharedPostgres()]);
    kafka = broker;
    pgUrl = await pg.createDatabase(`cdc_history_${Date.now()}`);
    sqlitePath = join(tempDir('cdc-history'), 'target.db');
    worker = await startWorker({
      brokers: kafka.bootstrap,
      connectors: [
        // One partition: the two sources' records keep the order they were posted in.
        { name: 'cdc', config: { 'connector.class': 'debezium', topic, 'key.fields': 'id', 'topic.creation.default.partitions': 1 } },
        { name: 'cdc-wrapped', config: { 'connector.class': 'webhook', topic, 'topic.creation.default.partitions': 1 } },
        sink('history-pg', pgUrl),
        sink('history-sqlite', `sqlite:${sqlitePath}`),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
  }, 30_000);

  test('creates, updates, deletes, tombstones, a key change and a column appearing mid-stream end in the source\'s final state', async () => {
    // Snapshot and plain changes: the sinks create the table from JSON values.
    await change('r', { id: 1, name: 'Ada', score: 10 });
    await change('r', { id: 2, name: 'Bob', score: 20 });
    await change('c', { id: 3, name: 'Cy', score: 30 });
    await change('u', { id: 1, name: 'Ada L.', score: 10 });
    await change('d', { id: 2, name: 'Bob', score: 20 });
    await change('c', { id: 4, name: 'Dee', score: 40 });
    await change('u', { id: 3, name: 'Cy', score: 31 });
    // A primary-key update: Debezium emits a delete of the old key (and its tombstone), then a create.
    await change('d', { id: 4, name: 'Dee', score: 40 });
    await change('c', { id: 40, name: 'Dee', score: 40 });

    // ALTER TABLE customers ADD email text, ADD joined date: events now carry a schema naming them.
    await change('c', { id: 5, name: 'Eve', score: 50, email: 'eve@example.com', joined: 19_782 }, { wrapped: true });
    await change('u', { id: 1, name: 'Ada L.', score: 11, email: 'ada@example.com', joined: null }, { wrapped: true });
    await change('d', { id: 3, name: 'Cy', score: 31, email: null, joined: null }, { wrapped: true });
    await change('u', { id: 5, name: 'Eve', score: 55, email: 'eve@example.org', joined: 19_783 }, { wrapped: true });

    // ALTER TABLE customers ADD vip boolean, seen first in a plain event; a deleted key comes back.
    await change('c', { id: 2, name: 'Bob II', score: 21, email: null, joined: null, vip: true });
    await change('u', { id: 40, name: 'Dee', score: 41, email: 'dee@example.com', joined: null, vip: false });
    await change('d', { id: 40, name: 'Dee', score: 41, email: 'dee@example.com', joined: null, vip: false });
    await change('c', { id: 6, name: 'Fay', score: 60, email: null, joined: null, vip: null });

    const end = (await endOffsets(kafka, topic)).get(0)!;
    // 17 events and a tombstone after each of the 3 deletes that went through the debezium source.
    expect(end).toBe(17 + 3);
    const expected = model.expected();
    expect(expected.map((r) => r.id)).toEqual([1, 2, 5, 6]);

    const select = 'SELECT id, name, score, email, joined, vip FROM customers ORDER BY id';
    const selectPg = 'SELECT id, name, score, email, joined::text AS joined, vip FROM customers ORDER BY id';
    const offsetOf = (rows: Row[], connector: string) => Number(rows.find((r) => r.connector === connector)?.next_offset ?? -1);
    try {
      await waitFor(
        'both sinks to apply the whole topic',
        async () =>
          offsetOf(await postgresRows(pgUrl, 'SELECT * FROM inlet_sink_offsets'), 'history-pg') === end &&
          offsetOf(sqliteRows(sqlitePath, 'SELECT * FROM inlet_sink_offsets'), 'history-sqlite') === end,
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- worker ---\n${worker.output().slice(-4000)}`);
    }
    expect(normalise(await postgresRows(pgUrl, selectPg))).toEqual(expected);
    expect(normalise(sqliteRows(sqlitePath, select))).toEqual(expected);
  }, 180_000);
});
