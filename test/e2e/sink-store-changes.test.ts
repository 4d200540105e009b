import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { openSinkStore } from '../../src/db/drivers/index.ts';
import { type Row, type SinkStore, type TableChanges } from '../../src/db/index.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { commit } from '../support/store.ts';
import { postgresRows, sqliteRows } from '../support/tables.ts';
import { tempDir } from '../support/wait.ts';
import { memoryLog } from '../support/log.ts';

interface Target {
  store: SinkStore;
  /** Rows of `table` as the database has them (a missing table fails), key columns as text. */
  rows(table: string, orderBy: string): Promise<Row[]>;
}

async function sqliteTarget(): Promise<Target> {
  const path = join(tempDir('store-changes'), 'sink.db');
  const store = await openSinkStore(`sqlite:${path}`, memoryLog());
  return { store, rows: async (table, orderBy) => sqliteRows(path, `SELECT * FROM "${table}" ORDER BY ${orderBy}`) };
}

async function postgresTarget(): Promise<Target> {
  const url = await (await sharedPostgres()).createDatabase(`store_changes_${Date.now()}`);
  const store = await openSinkStore(url, memoryLog());
  return { store, rows: (table, orderBy) => postgresRows(url, `SELECT * FROM "${table}" ORDER BY ${orderBy}`) };
}

const changes = (table: string, rows: Row[], extra: Partial<TableChanges> = {}, keyColumns = ['id']): TableChanges => ({ table, keyColumns, rows, ...extra });

for (const [dialect, open] of [['SQLite', sqliteTarget], ['PostgreSQL', postgresTarget]] as const) {
  describe(`${dialect} sink store: deletes and truncates in the batch transaction`, () => {
    let target: Target;
    let store: SinkStore;
    const num = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));

    beforeAll(async () => {
      target = await open();
      store = target.store;
    }, 60_000);

    afterAll(async () => {
      await store?.close();
    }, 30_000);

    test('deletes remove rows by key, upserts of other keys apply, offsets move, all in one commit', async () => {
      await commit(store, 'c', [changes('customers', [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }])], [{ topic: 't', partition: 0, nextOffset: 3 }]);
      // Keys as the Kafka key gives them may be text for an integer column: the store converts.
      await commit(store, 'c', [changes('customers', [{ id: 4, name: 'd' }], { deletes: [{ id: 1 }, { id: '3' }] })], [{ topic: 't', partition: 0, nextOffset: 6 }]);
      expect(num(await target.rows('customers', 'id'))).toEqual([{ id: 2, name: 'b' }, { id: 4, name: 'd' }]);
      expect(await store.readOffsets('c', [{ topic: 't', partition: 0 }])).toEqual(new Map([['t/0', 6]]));
    }, 30_000);

    test('a delete of a key that is not there, and deletes on a table that does not exist, change nothing', async () => {
      await commit(store, 'c', [changes('customers', [], { deletes: [{ id: 99 }] }), changes('never_created', [], { deletes: [{ id: 1 }], truncate: true })], []);
      expect(num(await target.rows('customers', 'id'))).toEqual([{ id: 2, name: 'b' }, { id: 4, name: 'd' }]);
      await expect(target.rows('never_created', 'id')).rejects.toThrow(/no such table|does not exist/);
    }, 30_000);

    test('truncate empties the table before the same batch\'s upserts', async () => {
      await commit(store, 'c', [changes('customers', [{ id: 7, name: 'g' }], { truncate: true })], []);
      expect(num(await target.rows('customers', 'id'))).toEqual([{ id: 7, name: 'g' }]);
    }, 30_000);

    test('deletes past the bind-parameter limit are split and all applied, for one-column and composite keys', async () => {
      const rows = Array.from({ length: 70_000 }, (_, i) => ({ tenant: `t${i % 3}`, id: i, v: i }));
      await commit(store, 'c', [changes('lines', rows, {}, ['tenant', 'id']), changes('events', rows)], []);
      const keep = (r: { id: number }) => r.id !== 123;
      const deletes = [
        changes('lines', [], { deletes: rows.filter(keep).map(({ tenant, id }) => ({ tenant, id })) }, ['tenant', 'id']),
        changes('events', [], { deletes: rows.filter(keep).map(({ id }) => ({ id })) }),
      ];
      await commit(store, 'c', deletes, []);
      expect(num(await target.rows('lines', 'id'))).toEqual([{ tenant: 't0', id: 123, v: 123 }]);
      expect(num(await target.rows('events', 'id'))).toEqual([{ tenant: 't0', id: 123, v: 123 }]);
    }, 60_000);

    test('a failing upsert rolls back the deletes and truncate of its batch', async () => {
      const before = await target.rows('customers', 'id');
      const failed = commit(store, 'c', [changes('customers', [{ name: 'keyless' }], { deletes: [{ id: 7 }], truncate: true })], [{ topic: 't', partition: 0, nextOffset: 99 }]);
      await expect(failed).rejects.toThrow();
      expect(await target.rows('customers', 'id')).toEqual(before);
      expect(await store.readOffsets('c', [{ topic: 't', partition: 0 }])).toEqual(new Map([['t/0', 6]]));
    }, 30_000);
  });
}
