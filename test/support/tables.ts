import { Database } from 'bun:sqlite';
import postgres from 'postgres';

export type Row = Record<string, unknown>;

/**
 * Rows of `query` read straight from the SQLite file the worker writes. A file or table that is
 * not there yet fails (waitFor retries a probe that throws): never an empty result.
 */
export function sqliteRows(path: string, query: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.query(query).all() as Row[];
  } finally {
    db.close();
  }
}

/** Rows of `query` in PostgreSQL; a missing table fails, as in sqliteRows. */
export async function postgresRows(url: string, query: string): Promise<Row[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe(query))] as Row[];
  } finally {
    await sql.end();
  }
}

/** The one number `query` selects (e.g. `SELECT count(*) AS n FROM t`); anything else fails. */
export function sqliteNumber(path: string, query: string): number {
  return onlyNumber(sqliteRows(path, query), query);
}

export async function postgresNumber(url: string, query: string): Promise<number> {
  return onlyNumber(await postgresRows(url, query), query);
}

function onlyNumber(rows: Row[], query: string): number {
  const values = rows.length === 1 ? Object.values(rows[0]!) : [];
  const value = values.length === 1 ? Number(values[0]) : Number.NaN;
  if (!Number.isFinite(value)) throw new Error(`${query} gave ${JSON.stringify(rows)}, not one number`);
  return value;
}

/** Sink offsets as `topic/partition -> next offset`. */
export function offsetsByPartition(rows: Row[]): Map<string, number> {
  return new Map(rows.map((r) => [`${r.topic}/${r.kafka_partition}`, Number(r.next_offset)]));
}
