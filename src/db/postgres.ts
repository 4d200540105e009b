import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { sinkOffsets } from './schema/pg.ts';
import { chunkRows, TableShapes, toColumnValue, updatedColumns, type TableDdl, type TableShape } from './table-shape.ts';
import type { ColumnKind, PartitionRef, Row, SinkStore, StoredPosition, TableChanges, TablePolicy } from './types.ts';

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

/**
 * A batch's rows as one JSON parameter that the server unpacks into the table's own row type.
 *
 * Not Drizzle's `insert().values()`: that binds a parameter per value, and building the statement
 * was 37% of the sink's CPU at 2,000 rows a batch (drizzle walks every chunk with `is()`), and the
 * bind limit split batches. Here each batch is one parameter whatever its size; every field is
 * typed by the column it lands in (enums, domains and varchar included), and a key is matched the
 * same way for deletes, so composite keys need no nested `IN` lists.
 */
function recordset(table: ReturnType<typeof sql.identifier>, json: string): SQL {
  return sql`json_populate_recordset(NULL::${table}, ${json}::json)`;
}

/** Rows holding `columns`, converted for their kinds and serialised as a JSON array. */
function rowsJson(shape: TableShape, rows: readonly Row[], columns: readonly string[]): string {
  const kinds = columns.map((c) => shape.columns.get(c) ?? 'text');
  const out: Record<string, unknown>[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const shaped: Record<string, unknown> = {};
    for (let j = 0; j < columns.length; j++) {
      const value = toColumnValue(kinds[j]!, row[columns[j]!]);
      // bytea's text input takes hex; JSON has no bytes.
      shaped[columns[j]!] = value instanceof Uint8Array ? `\\x${Buffer.from(value).toString('hex')}` : typeof value === 'bigint' ? String(value) : value;
    }
    out[i] = shaped;
  }
  return JSON.stringify(out);
}

/** Runs `work` in one transaction (see openPostgres for why not drizzle's pooled transaction()). */
type PgTransaction = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0];
export type PgTransactionRunner = <T>(work: (tx: PgTransaction) => Promise<T>) => Promise<T>;

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
    private readonly transaction: PgTransactionRunner,
    private readonly closeDriver: () => Promise<void>,
  ) {
    this.shapes = new TableShapes(new PostgresDdl(db));
  }

  async prepareTable(change: Pick<TableChanges, 'table' | 'keyColumns' | 'rows' | 'columnTypes'>, policy: TablePolicy) {
    await this.shapes.prepare(change, policy);
  }

  async commitBatch(connector: string, changes: readonly TableChanges[], positions: readonly StoredPosition[]) {
    const resolved = await this.shapes.resolve(changes);
    await this.transaction(async (tx) => {
      for (const { change, shape } of resolved) {
        const name = sql.identifier(change.table);
        if (change.truncate) await tx.execute(sql`TRUNCATE TABLE ${name}`);
        const keyColumns = change.keyColumns;
        const deletes = change.deletes ?? [];
        for (const chunk of chunkRows(deletes, keyColumns.length, Number.MAX_SAFE_INTEGER)) {
          const matches = sql.join(keyColumns.map((k) => sql`${name}.${sql.identifier(k)} = inlet_keys.${sql.identifier(k)}`), sql` AND `);
          await tx.execute(sql`DELETE FROM ${name} USING ${recordset(name, rowsJson(shape, chunk, keyColumns))} AS inlet_keys WHERE ${matches}`);
        }
        if (change.rows.length === 0) continue;
        const columns = [...shape.columns.keys()];
        const list = sql.join(columns.map((c) => sql.identifier(c)), sql`, `);
        const updated = updatedColumns(shape, keyColumns);
        const conflict =
          keyColumns.length === 0
            ? sql``
            : sql` ON CONFLICT (${sql.join(keyColumns.map((k) => sql.identifier(k)), sql`, `)}) ${
                updated.length === 0
                  ? sql`DO NOTHING`
                  : sql`DO UPDATE SET ${sql.join(updated.map((c) => sql`${sql.identifier(c)} = excluded.${sql.identifier(c)}`), sql`, `)}`
              }`;
        for (const chunk of chunkRows(change.rows, columns.length, Number.MAX_SAFE_INTEGER)) {
          await tx.execute(sql`INSERT INTO ${name} (${list}) SELECT ${list} FROM ${recordset(name, rowsJson(shape, chunk, columns))}${conflict}`);
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
