import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { hasExactNumbers, stringifyJson } from '../../json/index.ts';
import { sinkOffsets } from '../schema/pg.ts';
import { toColumnValue } from '../column-values.ts';
import { chunkRows } from '../row-chunks.ts';
import { TableShapes, updatedColumns, type TableDdl, type TableShape } from '../table-shape.ts';
import type { ColumnKind, PartitionRef, PreparedBatch, Row, SinkStore, StoredPosition, TableChanges, TablePolicy } from '../types.ts';

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
  // Whether a json column holds numbers JSON.stringify cannot write (see src/json).
  let exact = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const shaped: Record<string, unknown> = {};
    for (let j = 0; j < columns.length; j++) {
      const value = toColumnValue(kinds[j]!, row[columns[j]!]);
      if (kinds[j] === 'json') exact ||= hasExactNumbers(value);
      // bytea's text input takes hex; JSON has no bytes. A bigint goes as its digits, which the
      // column's input function reads exactly (a JSON number would be read as written too, but
      // JSON.stringify cannot write one).
      shaped[columns[j]!] =
        value instanceof Uint8Array ? `\\x${Buffer.from(value).toString('hex')}` : typeof value === 'bigint' && kinds[j] !== 'json' ? String(value) : value;
    }
    out[i] = shaped;
  }
  return exact ? stringifyJson(out) : JSON.stringify(out);
}

function deleteStatements(change: TableChanges, shape: TableShape): SQL[] {
  const name = sql.identifier(change.table);
  const matches = sql.join(change.keyColumns.map((k) => sql`${name}.${sql.identifier(k)} = inlet_keys.${sql.identifier(k)}`), sql` AND `);
  return chunkRows(change.deletes ?? [], change.keyColumns.length, Number.MAX_SAFE_INTEGER).map(
    (chunk) => sql`DELETE FROM ${name} USING ${recordset(name, rowsJson(shape, chunk, change.keyColumns))} AS inlet_keys WHERE ${matches}`,
  );
}

function upsertStatements(change: TableChanges, shape: TableShape): SQL[] {
  if (change.rows.length === 0) return [];
  const name = sql.identifier(change.table);
  const columns = [...shape.columns.keys()];
  const list = sql.join(columns.map((c) => sql.identifier(c)), sql`, `);
  const updated = updatedColumns(shape, change.keyColumns);
  const keys = sql.join(change.keyColumns.map((k) => sql.identifier(k)), sql`, `);
  const conflict =
    change.keyColumns.length === 0
      ? sql``
      : updated.length === 0
        ? sql` ON CONFLICT (${keys}) DO NOTHING`
        : sql` ON CONFLICT (${keys}) DO UPDATE SET ${sql.join(updated.map((c) => sql`${sql.identifier(c)} = excluded.${sql.identifier(c)}`), sql`, `)}`;
  return chunkRows(change.rows, columns.length, Number.MAX_SAFE_INTEGER).map(
    (chunk) => sql`INSERT INTO ${name} (${list}) SELECT ${list} FROM ${recordset(name, rowsJson(shape, chunk, columns))}${conflict}`,
  );
}

/** The positions a batch advances to, in the table the sink starts from after a restart. */
function offsetsUpsert(connector: string, positions: readonly StoredPosition[]): SQL {
  const column = (c: { name: string }) => sql.identifier(c.name);
  const values = sql.join(positions.map((p) => sql`(${connector}, ${p.topic}, ${p.partition}, ${p.nextOffset}, now())`), sql`, `);
  const { connector: c, topic, partition, nextOffset, updatedAt } = sinkOffsets;
  return sql`INSERT INTO ${sinkOffsets} (${column(c)}, ${column(topic)}, ${column(partition)}, ${column(nextOffset)}, ${column(updatedAt)}) VALUES ${values}
    ON CONFLICT (${column(c)}, ${column(topic)}, ${column(partition)}) DO UPDATE SET ${column(nextOffset)} = excluded.${column(nextOffset)}, ${column(updatedAt)} = excluded.${column(updatedAt)}`;
}

/**
 * Runs `work` on one connection of its own, given its backend's pid (null if the server sent
 * none); the connection is destroyed after a failure (see openPostgres).
 */
export type PgSessionRunner = <T>(work: (db: NodePgDatabase, backendPid: number | null) => Promise<T>) => Promise<T>;

/** How long settleOffsets waits for a lost batch's backend to end before trying again later. */
const SETTLE_TIMEOUT_MS = 10_000;

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

  async widen(table: string, name: string, kind: 'real' | 'decimal') {
    const column = sql.identifier(name);
    // A double's text is its shortest exact form; a direct cast to numeric keeps only 15 digits.
    const using = kind === 'decimal' ? sql` USING ${column}::text::numeric` : sql``;
    await this.db.execute(sql`ALTER TABLE ${sql.identifier(table)} ALTER COLUMN ${column} TYPE ${sql.raw(SQL_TYPES[kind])}${using}`);
  }
}

export class PostgresSinkStore implements SinkStore {
  private readonly shapes: TableShapes;
  /** The backend each failed commitBatch ran on, by its error, for settleOffsets. */
  private readonly failedOn = new WeakMap<object, number>();

  constructor(
    private readonly db: NodePgDatabase,
    private readonly session: PgSessionRunner,
    private readonly closeDriver: () => Promise<void>,
    /** The server's NAMEDATALEN - 1 (63 unless built otherwise): longer names are cut short, silently. */
    readonly maxIdentifierBytes: number,
  ) {
    this.shapes = new TableShapes(new PostgresDdl(db));
  }

  prepareBatch(changes: readonly TableChanges[], policy: TablePolicy) {
    return this.shapes.prepareBatch(changes, policy);
  }

  /**
   * Without a truncate and with each table's rows in one statement's worth, the whole batch and its
   * positions go as one statement (data-modifying CTEs), which Postgres applies atomically: one
   * round trip instead of BEGIN, one per table, the positions and COMMIT. Keys never repeat within
   * a batch, so the CTEs cannot touch a row twice.
   */
  async commitBatch(connector: string, batch: PreparedBatch, positions: readonly StoredPosition[]) {
    const truncates = batch.filter(({ change }) => change.truncate).map(({ change }) => sql`TRUNCATE TABLE ${sql.identifier(change.table)}`);
    const chunked = batch.flatMap(({ change, shape }) => [deleteStatements(change, shape), upsertStatements(change, shape)]);
    const statements = chunked.flat();
    if (positions.length > 0) statements.push(offsetsUpsert(connector, positions));
    // Nothing was split for size: at most one statement per table's deletes and per table's rows.
    const single = truncates.length === 0 && chunked.every((chunks) => chunks.length <= 1);
    if (single && statements.length === 0) return;
    await this.session(async (db, backendPid) => {
      try {
        if (single) {
          const last = statements.pop()!;
          const ctes = statements.map((statement, i) => sql`${sql.identifier(`inlet_change_${i}`)} AS (${statement})`);
          await db.execute(ctes.length > 0 ? sql`WITH ${sql.join(ctes, sql`, `)} ${last}` : last);
        } else {
          await db.transaction(async (tx) => {
            for (const statement of [...truncates, ...statements]) await tx.execute(statement);
          });
        }
      } catch (error) {
        if (backendPid !== null && typeof error === 'object' && error !== null) this.failedOn.set(error, backendPid);
        throw error;
      }
    });
  }

  /**
   * A connection lost before the reply leaves the batch's outcome unknown, and the backend may
   * still be running it (a server notices a gone client only when it next writes to it). That
   * backend is ended, if it is still there, and waited for, so its transaction is decided (a
   * commit that went through stays, anything else is rolled back) before the positions are read.
   * Only our own user's sessions are looked at, so a reused pid is at worst another of ours.
   */
  async settleOffsets(connector: string, partitions: readonly PartitionRef[], failure: unknown) {
    const pid = typeof failure === 'object' && failure !== null ? this.failedOn.get(failure) : undefined;
    if (pid !== undefined) {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      for (;;) {
        const { rows } = await this.db.execute<{ pid: number }>(
          sql`SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE pid = ${pid} AND usename = current_user AND pid <> pg_backend_pid()`,
        );
        if (rows.length === 0) break;
        // Transient to the sink's retry loop, which settles again on its next attempt.
        if (Date.now() > deadline) throw Object.assign(new Error(`backend ${pid} of a lost batch has not ended yet`), { code: 'ETIMEDOUT' });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      this.failedOn.delete(failure as object);
    }
    return this.readOffsets(connector, partitions);
  }

  async readOffsets(connector: string, partitions: readonly PartitionRef[]) {
    const rows = await this.db.select().from(sinkOffsets).where(sql`${sinkOffsets.connector} = ${connector}`);
    const wanted = new Set(partitions.map((p) => `${p.topic}/${p.partition}`));
    return new Map(
      rows.map((r) => [`${r.topic}/${r.partition}`, r.nextOffset] as const).filter(([key]) => wanted.has(key)),
    );
  }

  async ping() {
    await this.db.execute(sql`SELECT 1`);
  }

  async close() {
    await this.closeDriver();
  }
}
