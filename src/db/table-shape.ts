import { isJsonDecimal, stringifyJson } from '../json/index.ts';
import type { ColumnKind, Row, TableChanges, TablePolicy } from './types.ts';

export class MissingTableError extends Error {
  override name = 'MissingTableError';
}

/** A row has a field its table lacks, and the table may not gain it (schema.evolution=none). */
export class UnknownColumnError extends Error {
  override name = 'UnknownColumnError';
  constructor(
    readonly table: string,
    readonly column: string,
    /** Index of the first such row in the rows given. */
    readonly rowIndex: number,
  ) {
    super(`field "${column}" is not a column of table "${table}" and schema.evolution is none`);
  }
}

/** Adding the columns rows need would take a table past the column cap (table.max.columns). */
export class ColumnLimitError extends Error {
  override name = 'ColumnLimitError';
  constructor(
    readonly table: string,
    /** The first field that does not fit. */
    readonly column: string,
    readonly maxColumns: number,
  ) {
    super(`field "${column}" would be column ${maxColumns + 1} of table "${table}", past table.max.columns (${maxColumns})`);
  }
}

/** Throws ColumnLimitError when `existing` columns plus `added` ones are more than `maxColumns`. */
function checkColumnLimit(table: string, existing: number, added: Iterable<string>, maxColumns: number | undefined): void {
  if (maxColumns === undefined) return;
  let count = existing;
  for (const column of added) if (++count > maxColumns) throw new ColumnLimitError(table, column, maxColumns);
}

/** The columns of a target table, as far as Inlet needs to know them. */
export interface TableShape {
  name: string;
  columns: Map<string, ColumnKind>;
  keyColumns: readonly string[];
}

/** The DDL a dialect provides; everything above it is shared. */
export interface TableDdl {
  introspect(table: string): Promise<Map<string, ColumnKind> | null>;
  createTable(table: string, columns: Map<string, ColumnKind>, keyColumns: readonly string[]): Promise<void>;
  addColumn(table: string, column: string, kind: ColumnKind): Promise<void>;
  /**
   * Changes a numeric column in place to a kind that holds more (integer to real, integer or real
   * to decimal), keeping its values.
   */
  widen(table: string, column: string, kind: 'real' | 'decimal'): Promise<void>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DOUBLE_EXACT = 2n ** 53n;
const inInt64 = (value: bigint) => value >= INT64_MIN && value <= INT64_MAX;

export function inferKind(value: unknown): ColumnKind | null {
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'real';
    case 'bigint':
      return inInt64(value) ? 'integer' : 'decimal';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value === null) return null;
      return isJsonDecimal(value) ? 'decimal' : 'json';
    default:
      return null;
  }
}

/**
 * The numeric kind that holds `kind`'s values and `values` exactly: a fraction needs real, a
 * decimal no double holds or an integer past int64 needs decimal, and so does a fraction beside an
 * integer past 2^53 (a double holds neither exactly). Other kinds are returned as they are.
 */
function numericKindFor(kind: ColumnKind, values: Iterable<unknown>): ColumnKind {
  if (kind !== 'integer' && kind !== 'real') return kind;
  let fraction = kind === 'real';
  let pastDouble = false;
  for (const value of values) {
    if (typeof value === 'number') fraction ||= !Number.isInteger(value);
    else if (typeof value === 'bigint') {
      if (!inInt64(value)) return 'decimal';
      pastDouble ||= value > DOUBLE_EXACT || value < -DOUBLE_EXACT;
    } else if (isJsonDecimal(value)) return 'decimal';
  }
  if (fraction && pastDouble) return 'decimal';
  return fraction ? 'real' : kind;
}

function* columnValues(rows: readonly Row[], column: string): Iterable<unknown> {
  for (const row of rows) yield row[column];
}

/**
 * Columns the rows carry that `known` lacks: typed as `declared` says (a record's schema, which
 * also names fields that are null in every row), else by the first non-null value seen.
 */
export function columnsOf(
  rows: readonly Row[],
  known: ReadonlyMap<string, ColumnKind>,
  declared: ReadonlyMap<string, ColumnKind> = new Map(),
): Map<string, ColumnKind> {
  const found = new Map<string, ColumnKind | null>();
  for (const [column, kind] of declared) if (!known.has(column)) found.set(column, kind);
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (known.has(column) || declared.has(column)) continue;
      if (!found.get(column)) found.set(column, inferKind(value));
    }
  }
  // A whole number first and a fraction later is a real column, not a bigint that refuses 1.5;
  // one that a double would round is a decimal column.
  return new Map(
    [...found].map(([column, kind]) => [column, declared.has(column) ? (kind ?? 'text') : numericKindFor(kind ?? 'text', columnValues(rows, column))]),
  );
}

const NUMERIC_KINDS = new Set<ColumnKind>(['int16', 'int32', 'integer', 'float32', 'real', 'decimal']);
const INTEGER_KINDS = new Set<ColumnKind>(['int16', 'int32', 'integer']);

/**
 * Converts a value for a column of `kind`; drizzle's column modes do the rest. Temporal, decimal
 * and uuid columns take the text forms the sink produces from a record's schema and leave any
 * other value to the database to accept or refuse.
 */
export function toColumnValue(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (kind === 'json') return value;
  if (kind === 'bytes') {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return Buffer.from(typeof value === 'string' ? value : stringifyJson(value), 'utf8');
  }
  // A decimal no double holds goes as its digits, which numeric and text columns take exactly.
  if (isJsonDecimal(value)) return String(value);
  if (typeof value === 'object') return stringifyJson(value);
  if (typeof value === 'boolean' && NUMERIC_KINDS.has(kind)) return value ? 1 : 0;
  // A bigint binds as a 64-bit integer where one fits (SQLite INTEGER), else as its digits.
  if (typeof value === 'bigint') return INTEGER_KINDS.has(kind) && inInt64(value) ? value : String(value);
  if (kind === 'boolean' || NUMERIC_KINDS.has(kind)) return value;
  return String(value);
}

/**
 * Keeps a cache of table shapes and brings tables up to what incoming rows need. Never drops or
 * narrows a column.
 */
export class TableShapes {
  private readonly shapes = new Map<string, TableShape>();
  private readonly preparing = new Map<string, Promise<TableShape>>();

  constructor(private readonly ddl: TableDdl) {}

  get(table: string): TableShape | undefined {
    return this.shapes.get(table);
  }

  /** The shape of an existing table, introspected once; undefined while the table does not exist. */
  async find(table: string, keyColumns: readonly string[]): Promise<TableShape | undefined> {
    const known = this.shapes.get(table);
    if (known) return known;
    const columns = await this.ddl.introspect(table);
    if (!columns) return undefined;
    const shape = { name: table, columns, keyColumns };
    this.shapes.set(table, shape);
    return shape;
  }

  /**
   * The shapes `changes` need, found before a transaction opens: a table with rows to upsert must
   * have been prepared; one that only deletes or truncates and does not exist is left out, since
   * it has nothing to remove.
   */
  async resolve<T extends { table: string; keyColumns: readonly string[]; rows: readonly unknown[] }>(
    changes: readonly T[],
  ): Promise<{ change: T; shape: TableShape }[]> {
    const resolved: { change: T; shape: TableShape }[] = [];
    for (const change of changes) {
      const shape = change.rows.length > 0 ? this.shapes.get(change.table) : await this.find(change.table, change.keyColumns);
      if (shape) resolved.push({ change, shape });
      else if (change.rows.length > 0) throw new Error(`table "${change.table}" was not prepared`);
    }
    return resolved;
  }

  /**
   * One preparation per table at a time: batches of several partitions arrive together, and two
   * that both found the table missing would each create it with the kinds of their own rows and
   * keep a shape that disagrees with the one the database took.
   */
  async prepare(change: Pick<TableChanges, 'table' | 'keyColumns' | 'rows' | 'columnTypes'>, policy: TablePolicy): Promise<TableShape> {
    const previous = this.preparing.get(change.table);
    const current = (previous ?? Promise.resolve()).catch(() => {}).then(() => this.prepareNow(change, policy));
    this.preparing.set(change.table, current);
    try {
      return await current;
    } finally {
      if (this.preparing.get(change.table) === current) this.preparing.delete(change.table);
    }
  }

  private async prepareNow(change: Pick<TableChanges, 'table' | 'keyColumns' | 'rows' | 'columnTypes'>, policy: TablePolicy): Promise<TableShape> {
    const { table, keyColumns, rows, columnTypes } = change;
    let shape = this.shapes.get(table);
    if (!shape) {
      const columns = await this.ddl.introspect(table);
      if (columns) shape = { name: table, columns, keyColumns };
      else {
        if (policy.evolution === 'none') throw new MissingTableError(`table "${table}" does not exist and schema.evolution is none`);
        if (!policy.autoCreate) throw new MissingTableError(`table "${table}" does not exist and auto.create is off`);
        const created = columnsOf(rows, new Map(), columnTypes);
        for (const key of keyColumns) if (!created.has(key)) created.set(key, 'text');
        checkColumnLimit(table, 0, created.keys(), policy.maxColumns);
        await this.ddl.createTable(table, created, keyColumns);
        shape = { name: table, columns: created, keyColumns };
      }
      this.shapes.set(table, shape);
    }
    if (policy.evolution === 'none') {
      let unknown = firstUnknownColumn(rows, shape.columns);
      // Someone may have added the column since the table was introspected: look once more.
      if (unknown) shape.columns = (await this.ddl.introspect(table)) ?? shape.columns;
      unknown = firstUnknownColumn(rows, shape.columns);
      if (unknown) throw new UnknownColumnError(table, unknown.column, unknown.rowIndex);
      return shape;
    }
    const added = columnsOf(rows, shape.columns, columnTypes);
    // Checked before any column is added: a batch refused here is retried record by record.
    checkColumnLimit(table, shape.columns.size, added.keys(), policy.maxColumns);
    for (const [column, kind] of added) {
      await this.ddl.addColumn(table, column, kind);
      shape.columns.set(column, kind);
    }
    // A column typed from whole numbers seen first takes a fraction later, or one typed from
    // doubles a number no double holds: widen, as basic evolution may (a value never narrows, and
    // the task does not fail on 1.5).
    for (const [column, kind] of widenings(rows, shape.columns, columnTypes)) {
      await this.ddl.widen(table, column, kind);
      shape.columns.set(column, kind);
    }
    return shape;
  }
}

/** Inferred numeric columns (not ones a record schema declares) the rows need widened. */
function widenings(rows: readonly Row[], known: ReadonlyMap<string, ColumnKind>, declared?: ReadonlyMap<string, ColumnKind>): [string, 'real' | 'decimal'][] {
  const widened: [string, 'real' | 'decimal'][] = [];
  for (const [column, kind] of known) {
    if ((kind !== 'integer' && kind !== 'real') || declared?.has(column)) continue;
    const needed = numericKindFor(kind, columnValues(rows, column));
    if (needed !== kind && (needed === 'real' || needed === 'decimal')) widened.push([column, needed]);
  }
  return widened;
}

function firstUnknownColumn(rows: readonly Row[], known: ReadonlyMap<string, ColumnKind>): { column: string; rowIndex: number } | undefined {
  for (const [rowIndex, row] of rows.entries()) {
    const column = Object.keys(row).find((c) => !known.has(c));
    if (column !== undefined) return { column, rowIndex };
  }
  return undefined;
}

/** Splits rows so one statement stays under the driver's bind-parameter limit. */
export function chunkRows<T>(rows: readonly T[], columnsPerRow: number, maxParameters: number, maxBytes = MAX_STATEMENT_BYTES): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnsPerRow)));
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = approximateBytes(row);
    if (chunk.length > 0 && (chunk.length >= size || bytes + rowBytes > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += rowBytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Past this a statement is split even under the parameter limit: wide JSON rows stay bounded in memory. */
export const MAX_STATEMENT_BYTES = 16 * 1024 * 1024;

/** A cheap size estimate of a row's bound values (strings by length, anything else as 8 bytes). */
function approximateBytes(row: unknown): number {
  if (typeof row !== 'object' || row === null) return 8;
  let bytes = 0;
  for (const value of Object.values(row)) {
    if (typeof value === 'string') bytes += value.length;
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === 'object' && value !== null) bytes += stringifyJson(value).length;
    else bytes += 8;
  }
  return bytes;
}

/** Rows as column-name records holding every column of the shape, converted for its kinds. */
export function shapeRows(shape: TableShape, rows: readonly Row[]): Row[] {
  const columns = [...shape.columns];
  return rows.map((row) => Object.fromEntries(columns.map(([c, kind]) => [c, toColumnValue(kind, row[c])])));
}

/** Key values of rows to delete, converted for the key columns' kinds. */
export function keyTuples(shape: TableShape, keyColumns: readonly string[], keys: readonly Row[]): unknown[][] {
  return keys.map((key) => keyColumns.map((c) => toColumnValue(shape.columns.get(c) ?? 'text', key[c])));
}

/** The columns an upsert overwrites: all but the key. */
export function updatedColumns(shape: TableShape, keyColumns: readonly string[]): string[] {
  return [...shape.columns.keys()].filter((c) => !keyColumns.includes(c));
}
