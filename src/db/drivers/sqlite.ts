import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase, SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core';
import { blob, customType, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { stringifyJson } from '../../json/index.ts';
import { sinkOffsets } from '../schema/sqlite.ts';
import { keyTuples, shapeRows } from '../column-values.ts';
import { chunkRows } from '../row-chunks.ts';
import { TableShapes, updatedColumns, type TableDdl, type TableShape } from '../table-shape.ts';
import type { ColumnKind, PartitionRef, PreparedBatch, SinkStore, StoredPosition, TableChanges, TablePolicy } from '../types.ts';

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32.
const MAX_PARAMETERS = 32_766;

type SyncDb = BaseSQLiteDatabase<'sync', unknown>;

// SQLite has five storage classes; the declared type keeps what the column holds readable (and
// round-trips through introspection). Dates and times are ISO-8601 text, which SQLite's date
// functions read; DATE/TIME/TIMESTAMP declare NUMERIC affinity, which leaves such text as it is.
// Decimals are TEXT: NUMERIC affinity turns a decimal of more than 15 digits into a rounded REAL.
const SQL_TYPES: Record<ColumnKind, string> = {
  text: 'TEXT',
  int16: 'INTEGER',
  int32: 'INTEGER',
  integer: 'INTEGER',
  float32: 'REAL',
  real: 'REAL',
  decimal: 'TEXT',
  boolean: 'INTEGER',
  json: 'TEXT',
  bytes: 'BLOB',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  uuid: 'TEXT',
};

function kindOf(declared: string): ColumnKind {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (/REAL|FLOA|DOUB/.test(type)) return 'real';
  if (/NUMERIC|DECIMAL/.test(type)) return 'decimal';
  if (type.includes('BOOL')) return 'boolean';
  if (type.includes('JSON')) return 'json';
  if (type.includes('BLOB')) return 'bytes';
  if (type === 'TIMESTAMPTZ') return 'timestamptz';
  if (/TIMESTAMP|DATETIME/.test(type)) return 'timestamp';
  if (type === 'DATE') return 'date';
  if (type === 'TIME') return 'time';
  return 'text';
}

function column(name: string, kind: ColumnKind): SQLiteColumnBuilderBase {
  switch (kind) {
    case 'int16':
    case 'int32':
    case 'integer':
      return integer(name);
    case 'float32':
    case 'real':
      return real(name);
    case 'boolean':
      return integer(name, { mode: 'boolean' });
    case 'json':
      return jsonText(name);
    case 'bytes':
      return blob(name, { mode: 'buffer' });
    default:
      return text(name);
  }
}

/** JSON text, numbers past what a double holds written with their digits (drizzle's json mode would throw on them). */
const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => stringifyJson(value),
});

function drizzleTable(shape: TableShape) {
  const columns = Object.fromEntries([...shape.columns].map(([name, kind]) => [name, column(name, kind)]));
  return sqliteTable(shape.name, columns);
}

class SqliteDdl implements TableDdl {
  constructor(private readonly db: SyncDb) {}

  async introspect(table: string) {
    const rows = this.db.all<{ name: string; type: string }>(sql`SELECT name, type FROM pragma_table_info(${table})`);
    if (rows.length === 0) return null;
    return new Map(rows.map((r) => [r.name, kindOf(r.type)] as const));
  }

  // WITHOUT ROWID: a lone INTEGER primary key would otherwise alias the rowid, and SQLite would
  // number a row that lacks its key instead of rejecting it. A table without a key (append) keeps
  // its rowid: WITHOUT ROWID needs a primary key.
  async createTable(table: string, columns: Map<string, ColumnKind>, keyColumns: readonly string[]) {
    const defs = [...columns].map(([name, kind]) =>
      sql`${sql.identifier(name)} ${sql.raw(SQL_TYPES[kind])}${keyColumns.includes(name) ? sql` NOT NULL` : sql``}`,
    );
    if (keyColumns.length === 0) {
      this.db.run(sql`CREATE TABLE IF NOT EXISTS ${sql.identifier(table)} (${sql.join(defs, sql`, `)})`);
      return;
    }
    const key = sql.join(keyColumns.map((k) => sql.identifier(k)), sql`, `);
    this.db.run(sql`CREATE TABLE IF NOT EXISTS ${sql.identifier(table)} (${sql.join(defs, sql`, `)}, PRIMARY KEY (${key})) WITHOUT ROWID`);
  }

  async addColumn(table: string, name: string, kind: ColumnKind) {
    this.db.run(sql`ALTER TABLE ${sql.identifier(table)} ADD COLUMN ${sql.identifier(name)} ${sql.raw(SQL_TYPES[kind])}`);
  }

  /**
   * SQLite stores 1.5 in an INTEGER-affinity column as a REAL already: nothing to alter. A column's
   * affinity cannot change, so a REAL or INTEGER column keeps a later decimal as a REAL.
   */
  async widen() {}
}

/** SQLite sink store over a synchronous driver (better-sqlite3 on Node, bun:sqlite on Bun). */
export class SqliteSinkStore implements SinkStore {
  /** SQLite keeps names of any length whole. */
  readonly maxIdentifierBytes = Number.POSITIVE_INFINITY;
  private readonly shapes: TableShapes;

  constructor(
    private readonly db: SyncDb,
    private readonly closeDriver: () => void,
  ) {
    this.shapes = new TableShapes(new SqliteDdl(db));
  }

  prepareBatch(changes: readonly TableChanges[], policy: TablePolicy) {
    return this.shapes.prepareBatch(changes, policy);
  }

  async commitBatch(connector: string, batch: PreparedBatch, positions: readonly StoredPosition[]) {
    const now = Date.now();
    this.db.transaction(
      (tx) => {
        for (const { change: upsert, shape } of batch) {
          const name = sql.identifier(upsert.table);
          if (upsert.truncate) tx.run(sql`DELETE FROM ${name}`);
          const keys = sql.join(upsert.keyColumns.map((k) => sql.identifier(k)), sql`, `);
          for (const chunk of chunkRows(keyTuples(shape, upsert.keyColumns, upsert.deletes ?? []), upsert.keyColumns.length, MAX_PARAMETERS)) {
            // A row value on the left of IN needs a subquery on the right in SQLite: VALUES is one.
            const tuples = sql.join(chunk.map((tuple) => sql`(${sql.join(tuple.map((v) => sql`${v}`), sql`, `)})`), sql`, `);
            tx.run(sql`DELETE FROM ${name} WHERE (${keys}) IN (VALUES ${tuples})`);
          }
          if (upsert.rows.length === 0) continue;
          const table = drizzleTable(shape);
          const target = upsert.keyColumns.map((k) => table[k as keyof typeof table] as never);
          const set = Object.fromEntries(
            updatedColumns(shape, upsert.keyColumns).map((c) => [c, sql`excluded.${sql.identifier(c)}`]),
          );
          for (const chunk of chunkRows(shapeRows(shape, upsert.rows), shape.columns.size, MAX_PARAMETERS)) {
            const insert = tx.insert(table).values(chunk as never);
            if (upsert.keyColumns.length === 0) insert.run();
            else if (Object.keys(set).length > 0) insert.onConflictDoUpdate({ target, set }).run();
            else insert.onConflictDoNothing().run();
          }
        }
        for (const p of positions) {
          tx.insert(sinkOffsets)
            .values({ connector, topic: p.topic, partition: p.partition, nextOffset: p.nextOffset, updatedAt: now })
            .onConflictDoUpdate({
              target: [sinkOffsets.connector, sinkOffsets.topic, sinkOffsets.partition],
              set: { nextOffset: p.nextOffset, updatedAt: now },
            })
            .run();
        }
      },
      { behavior: 'immediate' },
    );
  }

  /**
   * Nothing to wait for: the transaction ran synchronously in this process, so when commitBatch
   * threw it had rolled back (better-sqlite3 and bun:sqlite roll back a failed COMMIT too).
   */
  async settleOffsets(connector: string, partitions: readonly PartitionRef[], _failure: unknown) {
    return this.readOffsets(connector, partitions);
  }

  async readOffsets(connector: string, partitions: readonly PartitionRef[]) {
    const rows = this.db
      .select()
      .from(sinkOffsets)
      .where(sql`${sinkOffsets.connector} = ${connector}`)
      .all();
    const wanted = new Set(partitions.map((p) => `${p.topic}/${p.partition}`));
    return new Map(
      rows.map((r) => [`${r.topic}/${r.partition}`, r.nextOffset] as const).filter(([key]) => wanted.has(key)),
    );
  }

  async ping() {
    this.db.run(sql`SELECT 1`);
  }

  async close() {
    this.closeDriver();
  }
}
