import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  integer,
  jsonb,
  numeric,
  pgTable,
  real,
  smallint,
  text,
  time,
  timestamp,
  uuid,
  type PgColumnBuilderBase,
} from 'drizzle-orm/pg-core';
import { sinkOffsets } from './schema/pg.ts';
import { chunkRows, keyTuples, shapeRows, TableShapes, updatedColumns, type TableDdl, type TableShape } from './table-shape.ts';
import type { ColumnKind, PartitionRef, SinkStore, StoredPosition, TableChanges, TablePolicy } from './types.ts';

// The wire protocol counts bind parameters in an unsigned Int16; keep a little under it.
const MAX_PARAMETERS = 65_533;
// The server nests `(a, b) IN ((…), (…), …)` one OR deeper per row; past a few thousand rows
// that exceeds max_stack_depth. A one-column key becomes a flat `= ANY` instead.
const MAX_ROW_KEYS_PER_DELETE = 500;

const SQL_TYPES: Record<ColumnKind, string> = {
  text: 'text',
  int16: 'smallint',
  int32: 'integer',
  integer: 'bigint',
  float32: 'real',
  real: 'double precision',
  decimal: 'numeric',
  boolean: 'boolean',
  json: 'jsonb',
  bytes: 'bytea',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  uuid: 'uuid',
};

/** information_schema.columns.data_type to a kind. */
const KINDS: Record<string, ColumnKind> = {
  smallint: 'int16',
  integer: 'int32',
  bigint: 'integer',
  real: 'float32',
  'double precision': 'real',
  numeric: 'decimal',
  boolean: 'boolean',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytes',
  date: 'date',
  'time without time zone': 'time',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  uuid: 'uuid',
};

const kindOf = (dataType: string): ColumnKind => KINDS[dataType] ?? 'text';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

function column(name: string, kind: ColumnKind): PgColumnBuilderBase {
  switch (kind) {
    case 'int16':
      return smallint(name);
    case 'int32':
      return integer(name);
    case 'integer':
      return bigint(name, { mode: 'number' });
    case 'float32':
      return real(name);
    case 'real':
      return doublePrecision(name);
    case 'decimal':
      return numeric(name);
    case 'boolean':
      return boolean(name);
    case 'json':
      return jsonb(name);
    case 'bytes':
      return bytea(name);
    case 'date':
      return date(name, { mode: 'string' });
    case 'time':
      return time(name);
    case 'timestamp':
      return timestamp(name, { mode: 'string' });
    case 'timestamptz':
      return timestamp(name, { mode: 'string', withTimezone: true });
    case 'uuid':
      return uuid(name);
    default:
      return text(name);
  }
}

function drizzleTable(shape: TableShape) {
  const columns = Object.fromEntries([...shape.columns].map(([name, kind]) => [name, column(name, kind)]));
  return pgTable(shape.name, columns);
}

class PostgresDdl implements TableDdl {
  constructor(private readonly db: NodePgDatabase) {}

  async introspect(table: string) {
    const { rows } = await this.db.execute<{ column_name: string; data_type: string }>(
      sql`SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table}`,
    );
    if (rows.length === 0) return null;
    return new Map(rows.map((r) => [r.column_name, kindOf(r.data_type)] as const));
  }

  async createTable(table: string, columns: Map<string, ColumnKind>, keyColumns: readonly string[]) {
    const defs = [...columns].map(([name, kind]) =>
      sql`${sql.identifier(name)} ${sql.raw(SQL_TYPES[kind])}${keyColumns.includes(name) ? sql` NOT NULL` : sql``}`,
    );
    // A table without key columns takes appends (primary.key.mode=none).
    const key = keyColumns.length > 0 ? sql`, PRIMARY KEY (${sql.join(keyColumns.map((k) => sql.identifier(k)), sql`, `)})` : sql``;
    await this.db.execute(sql`CREATE TABLE IF NOT EXISTS ${sql.identifier(table)} (${sql.join(defs, sql`, `)}${key})`);
  }

  async addColumn(table: string, name: string, kind: ColumnKind) {
    await this.db.execute(
      sql`ALTER TABLE ${sql.identifier(table)} ADD COLUMN IF NOT EXISTS ${sql.identifier(name)} ${sql.raw(SQL_TYPES[kind])}`,
    );
  }
}

export class PostgresSinkStore implements SinkStore {
  readonly dialect = 'postgres' as const;
  private readonly shapes: TableShapes;

  constructor(
    private readonly db: NodePgDatabase,
    private readonly closeDriver: () => Promise<void>,
  ) {
    this.shapes = new TableShapes(new PostgresDdl(db));
  }

  async prepareTable(change: Pick<TableChanges, 'table' | 'keyColumns' | 'rows' | 'columnTypes'>, policy: TablePolicy) {
    await this.shapes.prepare(change, policy);
  }

  async commitBatch(connector: string, changes: readonly TableChanges[], positions: readonly StoredPosition[]) {
    const resolved = await this.shapes.resolve(changes);
    await this.db.transaction(async (tx) => {
      for (const { change: upsert, shape } of resolved) {
        const name = sql.identifier(upsert.table);
        if (upsert.truncate) await tx.execute(sql`TRUNCATE TABLE ${name}`);
        const keys = sql.join(upsert.keyColumns.map((k) => sql.identifier(k)), sql`, `);
        const maxParameters = upsert.keyColumns.length === 1 ? MAX_PARAMETERS : MAX_ROW_KEYS_PER_DELETE * upsert.keyColumns.length;
        for (const chunk of chunkRows(keyTuples(shape, upsert.keyColumns, upsert.deletes ?? []), upsert.keyColumns.length, maxParameters)) {
          // Row constructors (not VALUES) let the server type each parameter from its column.
          const tuples = sql.join(chunk.map((tuple) => sql`(${sql.join(tuple.map((v) => sql`${v}`), sql`, `)})`), sql`, `);
          await tx.execute(sql`DELETE FROM ${name} WHERE (${keys}) IN (${tuples})`);
        }
        if (upsert.rows.length === 0) continue;
        const table = drizzleTable(shape);
        const target = upsert.keyColumns.map((k) => table[k as keyof typeof table] as never);
        const set = Object.fromEntries(
          updatedColumns(shape, upsert.keyColumns).map((c) => [c, sql`excluded.${sql.identifier(c)}`]),
        );
        for (const chunk of chunkRows(shapeRows(shape, upsert.rows), shape.columns.size, MAX_PARAMETERS)) {
          const insert = tx.insert(table).values(chunk as never);
          if (upsert.keyColumns.length === 0) await insert;
          else await (Object.keys(set).length > 0 ? insert.onConflictDoUpdate({ target, set }) : insert.onConflictDoNothing());
        }
      }
      for (const p of positions) {
        await tx
          .insert(sinkOffsets)
          .values({ connector, topic: p.topic, partition: p.partition, nextOffset: p.nextOffset })
          .onConflictDoUpdate({
            target: [sinkOffsets.connector, sinkOffsets.topic, sinkOffsets.partition],
            set: { nextOffset: p.nextOffset, updatedAt: sql`now()` },
          });
      }
    });
  }

  async readOffsets(connector: string, partitions: readonly PartitionRef[]) {
    const rows = await this.db.select().from(sinkOffsets).where(sql`${sinkOffsets.connector} = ${connector}`);
    const wanted = new Set(partitions.map((p) => `${p.topic}/${p.partition}`));
    return new Map(
      rows.map((r) => [`${r.topic}/${r.partition}`, r.nextOffset] as const).filter(([key]) => wanted.has(key)),
    );
  }

  async close() {
    await this.closeDriver();
  }
}
