import { columnsOf, widenings } from './column-kinds.ts';
import { ColumnLimitError, MissingTableError, UnknownColumnError } from './errors.ts';
import type { ColumnKind, PreparedBatch, Row, TableChanges, TablePolicy, TableShape } from './types.ts';

export type { TableShape } from './types.ts';

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

/** Throws ColumnLimitError when `existing` columns plus `added` ones are more than `maxColumns`. */
function checkColumnLimit(table: string, existing: number, added: Iterable<string>, maxColumns: number | undefined): void {
  if (maxColumns === undefined) return;
  let count = existing;
  for (const column of added) if (++count > maxColumns) throw new ColumnLimitError(table, column, maxColumns);
}

/**
 * Keeps a cache of table shapes and brings tables up to what incoming rows need. Never drops or
 * narrows a column.
 */
export class TableShapes {
  private readonly shapes = new Map<string, TableShape>();
  private readonly preparing = new Map<string, Promise<TableShape>>();

  constructor(private readonly ddl: TableDdl) {}

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
   * Prepares the tables of a batch's changes and resolves each one's shape, before its transaction
   * opens. Deletes and truncates alone never create a table: one that does not exist is left out,
   * since it has nothing to remove.
   */
  async prepareBatch(changes: readonly TableChanges[], policy: TablePolicy): Promise<PreparedBatch> {
    const prepared: { change: TableChanges; shape: TableShape }[] = [];
    for (const change of changes) {
      const shape = change.rows.length > 0 ? await this.prepare(change, policy) : await this.find(change.table, change.keyColumns);
      if (shape) prepared.push({ change, shape });
    }
    return prepared;
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

function firstUnknownColumn(rows: readonly Row[], known: ReadonlyMap<string, ColumnKind>): { column: string; rowIndex: number } | undefined {
  for (const [rowIndex, row] of rows.entries()) {
    const column = Object.keys(row).find((c) => !known.has(c));
    if (column !== undefined) return { column, rowIndex };
  }
  return undefined;
}

/** The columns an upsert overwrites: all but the key. */
export function updatedColumns(shape: TableShape, keyColumns: readonly string[]): string[] {
  return [...shape.columns.keys()].filter((c) => !keyColumns.includes(c));
}
