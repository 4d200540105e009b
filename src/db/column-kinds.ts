import { isJsonDecimal } from '../json/index.ts';
import type { ColumnKind, Row } from './types.ts';

// Which column kind holds a value: inferred from the values rows carry where no record schema
// declares a column.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DOUBLE_EXACT = 2n ** 53n;
export const inInt64 = (value: bigint) => value >= INT64_MIN && value <= INT64_MAX;

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

/** Inferred numeric columns (not ones a record schema declares) the rows need widened. */
export function widenings(rows: readonly Row[], known: ReadonlyMap<string, ColumnKind>, declared?: ReadonlyMap<string, ColumnKind>): [string, 'real' | 'decimal'][] {
  const widened: [string, 'real' | 'decimal'][] = [];
  for (const [column, kind] of known) {
    if ((kind !== 'integer' && kind !== 'real') || declared?.has(column)) continue;
    const needed = numericKindFor(kind, columnValues(rows, column));
    if (needed !== kind && (needed === 'real' || needed === 'decimal')) widened.push([column, needed]);
  }
  return widened;
}
