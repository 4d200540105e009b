import type { ColumnKind, Row } from './types.ts';

export class MissingTableError extends Error {
  override name = 'MissingTableError';
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
}

export function inferKind(value: unknown): ColumnKind | null {
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'real';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'object':
      return value === null ? null : 'json';
    default:
      return null;
  }
}

/** Columns the rows carry that `known` lacks, typed by the first non-null value seen. */
export function columnsOf(rows: readonly Row[], known: ReadonlyMap<string, ColumnKind>): Map<string, ColumnKind> {
  const found = new Map<string, ColumnKind | null>();
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (known.has(column) || found.get(column)) continue;
      found.set(column, inferKind(value));
    }
  }
  return new Map([...found].map(([column, kind]) => [column, kind ?? 'text']));
}

/** Converts a JSON value for a column of `kind`; drizzle's column modes do the rest. */
export function toColumnValue(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (kind === 'json') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  if (kind === 'text') return String(value);
  if (typeof value === 'boolean' && kind !== 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * Keeps a cache of table shapes and brings tables up to what incoming rows need. Never drops or
 * narrows a column.
 */
export class TableShapes {
  private readonly shapes = new Map<string, TableShape>();

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

  async prepare(table: string, keyColumns: readonly string[], rows: readonly Row[], autoCreate: boolean): Promise<TableShape> {
    let shape = this.shapes.get(table);
    if (!shape) {
      const columns = await this.ddl.introspect(table);
      if (columns) shape = { name: table, columns, keyColumns };
      else {
        if (!autoCreate) throw new MissingTableError(`table "${table}" does not exist and auto.create is off`);
        const created = columnsOf(rows, new Map());
        for (const key of keyColumns) if (!created.has(key)) created.set(key, 'text');
        await this.ddl.createTable(table, created, keyColumns);
        shape = { name: table, columns: created, keyColumns };
      }
      this.shapes.set(table, shape);
    }
    for (const [column, kind] of columnsOf(rows, shape.columns)) {
      await this.ddl.addColumn(table, column, kind);
      shape.columns.set(column, kind);
    }
    return shape;
  }
}

/** Splits rows so one statement stays under the driver's bind-parameter limit. */
export function chunkRows<T>(rows: readonly T[], columnsPerRow: number, maxParameters: number): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnsPerRow)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
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
