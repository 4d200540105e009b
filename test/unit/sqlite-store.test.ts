import { afterEach, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSinkStore } from '../../src/db/drivers/index.ts';
import { isTransientDbError, MissingTableError, type SinkStore } from '../../src/db/index.ts';
import { BASIC as basic, commit } from '../support/store.ts';
import { memoryLog } from '../support/log.ts';

interface Opened {
  store: SinkStore;
  /** A second connection to the same file, to see what the store really committed. */
  reader: Database;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 30_000);

async function openTempStore(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-sqlite-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sink.db');
  const store = await openSinkStore(`sqlite:${path}`, memoryLog());
  cleanups.push(() => store.close());
  const reader = new Database(path, { readonly: true });
  cleanups.push(() => reader.close());
  return { store, reader };
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

function columnsOf(reader: Database, table: string): Record<string, Omit<ColumnInfo, 'name'>> {
  const rows = reader.query(`SELECT name, type, "notnull", pk FROM pragma_table_info('${table}')`).all() as ColumnInfo[];
  return Object.fromEntries(rows.map(({ name, ...rest }) => [name, rest]));
}

function rowsOf(reader: Database, table: string, orderBy = 'id'): unknown[] {
  return reader.query(`SELECT * FROM "${table}" ORDER BY ${orderBy}`).all();
}

describe('SQLite sink store', () => {
  test('openSinkStore("sqlite::memory:") gives a working in-memory store', async () => {
    const store = await openSinkStore('sqlite::memory:', memoryLog());
    cleanups.push(() => store.close());
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }], [{ topic: 'orders', partition: 0, nextOffset: 1 }]);
    expect(await store.readOffsets('c', [{ topic: 'orders', partition: 0 }])).toEqual(new Map([['orders/0', 1]]));
    // In memory, not a file named ":memory:": another store opened the same way starts empty.
    const other = await openSinkStore('sqlite::memory:', memoryLog());
    cleanups.push(() => other.close());
    expect(await other.readOffsets('c', [{ topic: 'orders', partition: 0 }])).toEqual(new Map());
  });

  test('an unsupported database url is refused', async () => {
    await expect(openSinkStore('mysql://localhost/db', memoryLog())).rejects.toThrow('unsupported database url "mysql:…"');
  });

  test('prepareBatch creates a missing table with types inferred from the rows and a NOT NULL primary key', async () => {
    const { store, reader } = await openTempStore();
    const rows = [
      { id: 'o-1', qty: 2, price: 9.5, paid: true, meta: { a: 1 }, note: null },
      { id: 'o-2', note: 'later' },
    ];
    await store.prepareBatch([{ table: 'orders', keyColumns: ['id'], rows }], basic);
    expect(columnsOf(reader, 'orders')).toEqual({
      id: { type: 'TEXT', notnull: 1, pk: 1 },
      qty: { type: 'INTEGER', notnull: 0, pk: 0 },
      price: { type: 'REAL', notnull: 0, pk: 0 },
      paid: { type: 'INTEGER', notnull: 0, pk: 0 },
      meta: { type: 'TEXT', notnull: 0, pk: 0 },
      note: { type: 'TEXT', notnull: 0, pk: 0 },
    });
  });

  test('a composite key becomes a composite primary key', async () => {
    const { store, reader } = await openTempStore();
    await store.prepareBatch([{ table: 'lines', keyColumns: ['order_id', 'line'], rows: [{ order_id: 'o', line: 1, sku: 'x' }] }], basic);
    const columns = columnsOf(reader, 'lines');
    expect([columns.order_id!.pk, columns.line!.pk, columns.sku!.pk]).toEqual([1, 2, 0]);
  });

  test('a later row with a new field adds a nullable column, and earlier rows read null there', async () => {
    const { store, reader } = await openTempStore();
    const upsert = (rows: Record<string, unknown>[]) => [{ table: 'orders', keyColumns: ['id'], rows }];
    await store.prepareBatch([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 'a', qty: 1 }] }], basic);
    await commit(store, 'c', upsert([{ id: 'a', qty: 1 }]), []);

    await store.prepareBatch([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 'b', qty: 2, coupon: 'SPRING' }] }], basic);
    expect(columnsOf(reader, 'orders').coupon).toEqual({ type: 'TEXT', notnull: 0, pk: 0 });
    await commit(store, 'c', upsert([{ id: 'b', qty: 2, coupon: 'SPRING' }]), []);
    expect(rowsOf(reader, 'orders')).toEqual([
      { id: 'a', qty: 1, coupon: null },
      { id: 'b', qty: 2, coupon: 'SPRING' },
    ]);
  });

  test('prepareBatch throws MissingTableError and creates nothing when auto.create is off', async () => {
    const { store, reader } = await openTempStore();
    await expect(store.prepareBatch([{ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }], { autoCreate: false, evolution: 'basic' })).rejects.toBeInstanceOf(MissingTableError);
    expect(reader.query(`SELECT name FROM sqlite_master WHERE name = 'orders'`).all()).toEqual([]);
  });

  test('with auto.create off an existing table is used as declared', async () => {
    const { store, reader } = await openTempStore();
    const writer = new Database(reader.filename);
    cleanups.push(() => writer.close());
    writer.run('CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, amount NUMERIC, flag BOOLEAN)');
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ id: 'x', amount: 3, flag: true }] }], [], { autoCreate: false, evolution: 'basic' });
    expect(rowsOf(reader, 'orders')).toEqual([{ id: 'x', amount: 3, flag: 1 }]);
  });

  test('commitBatch upserts: a second commit with the same key updates the row instead of adding one', async () => {
    const { store, reader } = await openTempStore();
    const upsert = (rows: Record<string, unknown>[]) => [{ table: 'orders', keyColumns: ['id'], rows }];
    await commit(store, 'c', upsert([{ id: 1, status: 'new', qty: 1 }, { id: 2, status: 'new', qty: 5 }]), []);
    await commit(store, 'c', upsert([{ id: 1, status: 'paid', qty: 3 }]), []);
    expect(rowsOf(reader, 'orders')).toEqual([
      { id: 1, status: 'paid', qty: 3 },
      { id: 2, status: 'new', qty: 5 },
    ]);
  });

  test('a table of key columns only takes repeated keys without error', async () => {
    const { store, reader } = await openTempStore();
    await commit(store, 'c', [{ table: 'seen', keyColumns: ['id'], rows: [{ id: 'a' }] }], []);
    await commit(store, 'c', [{ table: 'seen', keyColumns: ['id'], rows: [{ id: 'a' }, { id: 'b' }] }], []);
    expect(rowsOf(reader, 'seen')).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  test('values are stored by column kind: JSON as text, booleans as 0/1, missing fields as null', async () => {
    const { store, reader } = await openTempStore();
    const first = { id: 'a', meta: { tags: ['x'], n: 1 }, paid: true, qty: 2, label: 'l' };
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [first, { id: 'b', paid: false, label: 42 }] }], []);
    const [a, b] = rowsOf(reader, 'orders') as Record<string, unknown>[];
    expect(JSON.parse(a!.meta as string)).toEqual({ tags: ['x'], n: 1 });
    expect(a).toMatchObject({ paid: 1, qty: 2, label: 'l' });
    expect(b).toEqual({ id: 'b', meta: null, paid: 0, qty: null, label: '42' });
  });

  test('committed offsets are read back, and only for the partitions asked about', async () => {
    const { store } = await openTempStore();
    await store.commitBatch('sink-a', [], [
      { topic: 'orders', partition: 0, nextOffset: 10 },
      { topic: 'orders', partition: 1, nextOffset: 20 },
      { topic: 'refunds', partition: 0, nextOffset: 5 },
    ]);
    await store.commitBatch('sink-b', [], [{ topic: 'orders', partition: 0, nextOffset: 99 }]);

    const offsets = await store.readOffsets('sink-a', [
      { topic: 'orders', partition: 0 },
      { topic: 'refunds', partition: 0 },
      { topic: 'refunds', partition: 7 },
    ]);
    expect(offsets).toEqual(new Map([['orders/0', 10], ['refunds/0', 5]]));
    expect(await store.readOffsets('sink-a', [])).toEqual(new Map());
    expect(await store.readOffsets('sink-c', [{ topic: 'orders', partition: 0 }])).toEqual(new Map());
  });

  test('a later commit moves a stored offset forward in place', async () => {
    const { store, reader } = await openTempStore();
    await store.commitBatch('sink-a', [], [{ topic: 'orders', partition: 0, nextOffset: 10 }]);
    await store.commitBatch('sink-a', [], [{ topic: 'orders', partition: 0, nextOffset: 15 }]);
    expect(await store.readOffsets('sink-a', [{ topic: 'orders', partition: 0 }])).toEqual(new Map([['orders/0', 15]]));
    expect(reader.query('SELECT count(*) AS n FROM inlet_sink_offsets').get()).toEqual({ n: 1 });
  });

  test('a failing commit rolls back its rows and its offsets together', async () => {
    const { store, reader } = await openTempStore();
    await store.prepareBatch([{ table: 'refunds', keyColumns: ['id'], rows: [{ id: 'r-1', amount: 1 }] }], basic);
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ id: 'o-1', status: 'new' }] }], [
      { topic: 'orders', partition: 0, nextOffset: 5 },
    ]);

    // The refunds row lacks its key: its insert hits the NOT NULL key constraint after the
    // orders upsert in the same transaction has already run.
    const failed = commit(
      store,
      'c',
      [
        { table: 'orders', keyColumns: ['id'], rows: [{ id: 'o-1', status: 'paid' }, { id: 'o-2', status: 'new' }] },
        { table: 'refunds', keyColumns: ['id'], rows: [{ amount: 3 }] },
      ],
      [
        { topic: 'orders', partition: 0, nextOffset: 9 },
        { topic: 'refunds', partition: 0, nextOffset: 2 },
      ],
    );
    const error = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('NOT NULL constraint failed: refunds.id');
    expect(isTransientDbError(error)).toBe(false);

    expect(rowsOf(reader, 'orders')).toEqual([{ id: 'o-1', status: 'new' }]);
    expect(rowsOf(reader, 'refunds')).toEqual([]);
    const partitions = [
      { topic: 'orders', partition: 0 },
      { topic: 'refunds', partition: 0 },
    ];
    expect(await store.readOffsets('c', partitions)).toEqual(new Map([['orders/0', 5]]));

    // The connection is left usable: the same batch without the bad row commits.
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ id: 'o-1', status: 'paid' }] }], [
      { topic: 'orders', partition: 0, nextOffset: 9 },
    ]);
    expect(rowsOf(reader, 'orders')).toEqual([{ id: 'o-1', status: 'paid' }]);
    expect(await store.readOffsets('c', partitions)).toEqual(new Map([['orders/0', 9]]));
  });

  test('a batch of 40,000 rows x 2 columns (past SQLite\'s default 32,766 bind limit) is written whole', async () => {
    const { store, reader } = await openTempStore();
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: i, v: `v${i}` }));
    await commit(store, 'c', [{ table: 'big', keyColumns: ['id'], rows }], [{ topic: 'big', partition: 0, nextOffset: 40_000 }]);
    expect(reader.query('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM big').get()).toEqual({ n: 40_000, lo: 0, hi: 39_999 });
    expect(reader.query('SELECT v FROM big WHERE id = 32765').get()).toEqual({ v: 'v32765' });
  });

  test('a batch binding more than 250,000 parameters (bun:sqlite\'s own limit) is split and written whole', async () => {
    const { store, reader } = await openTempStore();
    const columns = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'];
    const rows = Array.from({ length: 25_001 }, (_, i) => Object.fromEntries([['id', i], ...columns.map((c) => [c, i])]));
    await commit(store, 'c', [{ table: 'wide', keyColumns: ['id'], rows }], []);
    expect(reader.query('SELECT count(*) AS n, sum(c9) AS total FROM wide').get()).toEqual({ n: 25_001, total: (25_000 * 25_001) / 2 });
  }, 60_000);

  test('a row without its integer key is rejected rather than stored under an invented key', async () => {
    const { store, reader } = await openTempStore();
    await commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ id: 1, status: 'new' }] }], []);
    const attempt = commit(store, 'c', [{ table: 'orders', keyColumns: ['id'], rows: [{ status: 'keyless' }] }], [
      { topic: 'orders', partition: 0, nextOffset: 2 },
    ]);
    await expect(attempt).rejects.toThrow('NOT NULL constraint failed');
    expect(rowsOf(reader, 'orders')).toEqual([{ id: 1, status: 'new' }]);
  });
});
