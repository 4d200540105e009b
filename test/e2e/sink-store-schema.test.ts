import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import postgres from 'postgres';
import * as v from 'valibot';
import { DatabaseSinkConfigSchema } from '../../src/config/index.ts';
import { openSinkStore } from '../../src/db/drivers/index.ts';
import { MissingTableError, UnknownColumnError, type Row, type SinkStore, type TablePolicy } from '../../src/db/index.ts';
import { tablePolicy } from '../../src/sink/records.ts';
import { toSinkRecord } from '../../src/sink/sink-record.ts';
import { changesOf } from '../support/planned.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { commit } from '../support/store.ts';
import { postgresRows, sqliteRows } from '../support/tables.ts';
import { tempDir } from '../support/wait.ts';
import { memoryLog } from '../support/log.ts';

interface Target {
  store: SinkStore;
  /** Column name to declared SQL type, as the database reports it. */
  columnTypes(table: string): Promise<Record<string, string>>;
  rows(query: string): Promise<Row[]>;
}

async function sqliteTarget(): Promise<Target> {
  const path = join(tempDir('store-schema'), 'sink.db');
  const store = await openSinkStore(`sqlite:${path}`, memoryLog());
  return {
    store,
    async columnTypes(table) {
      const db = new Database(path, { readonly: true });
      try {
        const columns = db.query(`SELECT name, type FROM pragma_table_info('${table}')`).all() as { name: string; type: string }[];
        return Object.fromEntries(columns.map((c) => [c.name, c.type]));
      } finally {
        db.close();
      }
    },
    rows: async (query) => sqliteRows(path, query),
  };
}

async function postgresTarget(): Promise<Target> {
  const url = await (await sharedPostgres()).createDatabase(`store_schema_${Date.now()}`);
  const store = await openSinkStore(url, memoryLog());
  return {
    store,
    async columnTypes(table) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const columns = await sql<{ column_name: string; data_type: string }[]>`
          SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${table}`;
        return Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]));
      } finally {
        await sql.end();
      }
    },
    rows: (query) => postgresRows(url, query),
  };
}

const TYPED_FIELDS = [
  { field: 'id', type: 'int32', optional: false },
  { field: 'tiny', type: 'int16', optional: true },
  { field: 'big', type: 'int64', optional: true },
  { field: 'ratio', type: 'float32', optional: true },
  { field: 'score', type: 'float64', optional: true },
  { field: 'active', type: 'boolean', optional: true },
  { field: 'name', type: 'string', optional: true },
  { field: 'photo', type: 'bytes', optional: true },
  { field: 'tags', type: 'array', items: { type: 'string' }, optional: true },
  { field: 'created', type: 'int64', name: 'io.debezium.time.Timestamp', optional: true },
  { field: 'updated', type: 'int64', name: 'io.debezium.time.MicroTimestamp', optional: true },
  { field: 'seen', type: 'string', name: 'io.debezium.time.ZonedTimestamp', optional: true },
  { field: 'born', type: 'int32', name: 'io.debezium.time.Date', optional: true },
  { field: 'opens', type: 'int64', name: 'io.debezium.time.MicroTime', optional: true },
  { field: 'price', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' }, optional: true },
  { field: 'doc', type: 'string', name: 'io.debezium.data.Json', optional: true },
  { field: 'never', type: 'string', optional: true },
];
const TYPED_ROW = {
  id: 1,
  tiny: 3,
  big: 9_007_199_254_740_991,
  ratio: 0.5,
  score: 2.25,
  active: true,
  name: 'Ada',
  photo: btoa('\x00\x01\xff'),
  tags: ['a'],
  created: Date.UTC(2024, 1, 29, 13, 14, 15, 678),
  updated: Date.UTC(2024, 1, 29, 13, 14, 15, 678) * 1000 + 901,
  seen: '2024-02-29T13:14:15.678901Z',
  born: 19_782,
  opens: (9 * 3600 + 30 * 60) * 1_000_000 + 250,
  price: btoa('\x30\x39'),
  doc: '{"a":[1,2]}',
  never: null,
};

const EXPECTED_TYPES = {
  SQLite: {
    id: 'INTEGER', tiny: 'INTEGER', big: 'INTEGER', ratio: 'REAL', score: 'REAL', active: 'INTEGER', name: 'TEXT', photo: 'BLOB', tags: 'TEXT',
    created: 'TIMESTAMP', updated: 'TIMESTAMP', seen: 'TIMESTAMPTZ', born: 'DATE', opens: 'TIME', price: 'TEXT', doc: 'TEXT', never: 'TEXT',
  },
  PostgreSQL: {
    id: 'integer', tiny: 'smallint', big: 'bigint', ratio: 'real', score: 'double precision', active: 'boolean', name: 'text', photo: 'bytea',
    tags: 'jsonb', created: 'timestamp without time zone', updated: 'timestamp without time zone', seen: 'timestamp with time zone',
    born: 'date', opens: 'time without time zone', price: 'numeric', doc: 'jsonb', never: 'text',
  },
} as const;

let nextOffset = 0;
const sinkRecord = (value: unknown, key: unknown = null) =>
  toSinkRecord({
    topic: 'customers',
    partition: 0,
    offset: nextOffset++,
    key: key === null ? null : Buffer.from(JSON.stringify(key)),
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
  });
const config = (extra: Record<string, unknown> = {}) =>
  v.parse(DatabaseSinkConfigSchema, { 'connector.class': 'database-sink', topics: 'customers', 'primary.key.fields': 'id', ...extra });
const basic: TablePolicy = { autoCreate: true, evolution: 'basic' };
const none: TablePolicy = { autoCreate: true, evolution: 'none' };

for (const [dialect, open] of [['SQLite', sqliteTarget], ['PostgreSQL', postgresTarget]] as const) {
  describe(`${dialect} sink store: schema evolution and key modes`, () => {
    let target: Target;
    let store: SinkStore;

    beforeAll(async () => {
      target = await open();
      store = target.store;
    }, 60_000);

    afterAll(async () => {
      await store?.close();
    }, 30_000);

    test('basic: a table created from a Debezium schema gets the mapped column types, and the values land', async () => {
      const schema = { type: 'struct', fields: TYPED_FIELDS, name: 'typed.Value' };
      const changes = changesOf([sinkRecord({ schema, payload: TYPED_ROW })], config({ 'table.name.format': 'typed' }));
      await commit(store, 'c', changes, [], tablePolicy(config()));
      expect(await target.columnTypes('typed')).toEqual(EXPECTED_TYPES[dialect]);
      const [row]: Row[] = (await target.rows(
        dialect === 'SQLite'
          ? `SELECT CAST(created AS TEXT) AS created, born, opens, price, hex(photo) AS photo, tags, doc FROM typed`
          : `SELECT created::text, born::text, opens::text, price::text, encode(photo, 'hex') AS photo, tags::text, doc::text FROM typed`,
      ))!;
      expect({ ...row, photo: String(row!.photo).toLowerCase() } as Row).toEqual({
        created: '2024-02-29 13:14:15.678',
        born: '2024-02-29',
        opens: '09:30:00.00025' + (dialect === 'SQLite' ? '0' : ''),
        // A decimal is exact text in SQLite (NUMERIC affinity would round one past 15 digits).
        price: '123.45',
        photo: '0001ff',
        tags: '["a"]',
        doc: dialect === 'SQLite' ? '{"a":[1,2]}' : '{"a": [1, 2]}',
      });
    }, 30_000);

    test('basic: a field new to the table becomes a nullable column of its schema type; existing columns are never narrowed', async () => {
      const schema = { type: 'struct', fields: [{ field: 'id', type: 'int32' }, { field: 'name', type: 'int8' }, { field: 'joined', type: 'int32', name: 'io.debezium.time.Date' }] };
      const changes = changesOf([sinkRecord({ schema, payload: { id: 2, name: 7, joined: 1 } })], config({ 'table.name.format': 'typed' }));
      await commit(store, 'c', changes, [], basic);
      const types = await target.columnTypes('typed');
      expect(types.joined).toBe(dialect === 'SQLite' ? 'DATE' : 'date');
      expect(types.name).toBe(EXPECTED_TYPES[dialect].name);
      expect(await target.rows(`SELECT name, ${dialect === 'SQLite' ? 'joined' : 'joined::text AS joined'} FROM typed WHERE id = 2`)).toEqual([{ name: '7', joined: '1970-01-02' }]);
    }, 30_000);

    test('basic: a column typed from whole numbers takes a later fraction by widening, keeping its values', async () => {
      const plain = (id: number, amount: number) => changesOf([sinkRecord({ id, amount })], config({ 'table.name.format': 'amounts' }));
      for (const changes of [plain(1, 3), plain(2, 1.5)]) {
        await commit(store, 'c', changes, [], basic);
      }
      if (dialect === 'PostgreSQL') expect((await target.columnTypes('amounts')).amount).toBe('double precision');
      expect(await target.rows('SELECT id, amount FROM amounts ORDER BY id')).toEqual([{ id: dialect === 'SQLite' ? 1 : '1', amount: 3 }, { id: dialect === 'SQLite' ? 2 : '2', amount: 1.5 }]);
    }, 30_000);

    test('none: a missing table is not created, and a field the table lacks is refused naming it, nothing altered', async () => {
      await expect(store.prepareBatch([{ table: 'absent', keyColumns: ['id'], rows: [{ id: 1 }] }], none)).rejects.toBeInstanceOf(MissingTableError);
      await expect(target.rows('SELECT * FROM absent')).rejects.toThrow(/no such table|does not exist/);
      const before = await target.columnTypes('typed');
      const refused = store.prepareBatch([{ table: 'typed', keyColumns: ['id'], rows: [{ id: 3, name: 'x' }, { id: 4, nickname: 'y' }] }], none);
      await expect(refused).rejects.toBeInstanceOf(UnknownColumnError);
      await expect(refused).rejects.toMatchObject({ column: 'nickname', rowIndex: 1, message: 'field "nickname" is not a column of table "typed" and schema.evolution is none' });
      expect(await target.columnTypes('typed')).toEqual(before);
      // Rows within the table's columns go in as usual.
      await commit(store, 'c', [{ table: 'typed', keyColumns: ['id'], rows: [{ id: 3, name: 'x' }] }], [], none);
      expect(await target.rows('SELECT name FROM typed WHERE id = 3')).toEqual([{ name: 'x' }]);
    }, 30_000);

    test('primary.key.mode=none: a keyless table takes every row, repeats included, in the offsets\' transaction', async () => {
      const appendConfig = config({ 'primary.key.mode': 'none', 'primary.key.fields': [], 'table.name.format': 'audit', 'truncate.enabled': true });
      const batch = [sinkRecord({ id: 1, what: 'a' }), sinkRecord({ id: 1, what: 'a' }), sinkRecord({ id: 2, what: 'b' })];
      for (let round = 0; round < 2; round++) {
        const changes = changesOf(batch, appendConfig);
        await commit(store, 'append', changes, [{ topic: 'customers', partition: 0, nextOffset: 3 * (round + 1) }], tablePolicy(appendConfig));
      }
      expect((await target.rows('SELECT count(*) AS n FROM audit'))![0]!.n).toBe(dialect === 'SQLite' ? 6 : '6');
      expect(await store.readOffsets('append', [{ topic: 'customers', partition: 0 }])).toEqual(new Map([['customers/0', 6]]));
      const truncated = changesOf([sinkRecord({ op: 't', source: { db: 'd', table: 't' } }), sinkRecord({ id: 3, what: 'c' })], appendConfig);
      await commit(store, 'append', truncated, [], tablePolicy(appendConfig));
      expect(await target.rows('SELECT id, what FROM audit')).toEqual([{ id: dialect === 'SQLite' ? 3 : '3', what: 'c' }]);
    }, 30_000);
  });
}
