import { isJsonDecimal, stringifyJson } from '../json/index.ts';
import { inInt64 } from './column-kinds.ts';
import type { TableShape } from './table-shape.ts';
import type { ColumnKind, Row } from './types.ts';

const utf8 = new TextEncoder();

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
    // Bytes as they are; the drivers bind a Uint8Array as a blob (postgres.ts writes bytea's hex).
    if (value instanceof Uint8Array) return value;
    return utf8.encode(typeof value === 'string' ? value : stringifyJson(value));
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

/** Rows as column-name records holding every column of the shape, converted for its kinds. */
export function shapeRows(shape: TableShape, rows: readonly Row[]): Row[] {
  const columns = [...shape.columns];
  return rows.map((row) => Object.fromEntries(columns.map(([c, kind]) => [c, toColumnValue(kind, row[c])])));
}

/** Key values of rows to delete, converted for the key columns' kinds. */
export function keyTuples(shape: TableShape, keyColumns: readonly string[], keys: readonly Row[]): unknown[][] {
  return keys.map((key) => keyColumns.map((c) => toColumnValue(shape.columns.get(c) ?? 'text', key[c])));
}
