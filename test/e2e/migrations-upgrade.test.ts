import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { openSinkStore } from '../../src/db/drivers/index.ts';
import { sharedPostgres, type PostgresServer } from '../support/postgres.ts';
import { postgresRows, sqliteRows, type Row } from '../support/tables.ts';
import { tempDir } from '../support/wait.ts';
import { memoryLog } from '../support/log.ts';

// The hand-written migrations of 446eb4b, which databases made before migrations were generated
// from the schema have applied (drizzle's migrator recorded them in __drizzle_migrations).
const OLD_MIGRATIONS = join(import.meta.dir, '..', 'fixtures', 'migrations-446eb4b');

interface Database {
  url: string;
  /** The offsets table as the database describes it: columns with their types, and the key. */
  shape(): Promise<Row[]>;
  appliedMigrations(): Promise<number>;
}

let pgServer: PostgresServer;
let made = 0;

const dialects: [string, () => Promise<Database>][] = [
  [
    'SQLite',
    async () => {
      const path = join(tempDir('migrations'), 'inlet.db');
      return {
        url: `sqlite:${path}`,
        shape: async () => sqliteRows(path, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('inlet_sink_offsets') ORDER BY cid`),
        appliedMigrations: async () => sqliteRows(path, 'SELECT * FROM __drizzle_migrations').length,
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const url = await pgServer.createDatabase(`migrations_${Date.now()}_${made++}`);
      return {
        url,
        shape: async () => [
          ...(await postgresRows(
            url,
            `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
             WHERE table_name = 'inlet_sink_offsets' ORDER BY ordinal_position`,
          )),
          ...(await postgresRows(
            url,
            `SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
             WHERE conrelid = 'inlet_sink_offsets'::regclass ORDER BY conname`,
          )),
        ],
        appliedMigrations: async () => (await postgresRows(url, 'SELECT * FROM drizzle.__drizzle_migrations')).length,
      };
    },
  ],
];

beforeAll(async () => {
  pgServer = await sharedPostgres();
}, 120_000);

for (const [dialect, makeDatabase] of dialects) {
  describe(`${dialect}: generated migrations over a database the hand-written ones made`, () => {
    test('the worker opens it without migrating again, and its stored offsets stay', async () => {
      const db = await makeDatabase();
      const old = await openSinkStore(db.url, memoryLog(), OLD_MIGRATIONS);
      await old.commitBatch('c', [], [{ topic: 'orders', partition: 0, nextOffset: 42 }]);
      await old.close();
      const shapeBefore = await db.shape();

      const store = await openSinkStore(db.url, memoryLog());
      try {
        expect(await store.readOffsets('c', [{ topic: 'orders', partition: 0 }])).toEqual(new Map([['orders/0', 42]]));
        await store.commitBatch('c', [], [{ topic: 'orders', partition: 0, nextOffset: 43 }]);
        expect(await store.readOffsets('c', [{ topic: 'orders', partition: 0 }])).toEqual(new Map([['orders/0', 43]]));
      } finally {
        await store.close();
      }
      expect(await db.appliedMigrations()).toBe(1);
      expect(await db.shape()).toEqual(shapeBefore);
    });

    test('a new database gets the same table the hand-written migrations made', async () => {
      const byOld = await makeDatabase();
      const byNew = await makeDatabase();
      await (await openSinkStore(byOld.url, memoryLog(), OLD_MIGRATIONS)).close();
      await (await openSinkStore(byNew.url, memoryLog())).close();
      expect(await byNew.shape()).toEqual(await byOld.shape());
      expect(await byNew.appliedMigrations()).toBe(1);
    });
  });
}
