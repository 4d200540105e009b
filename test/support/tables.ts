import { Database } from 'bun:sqlite';
import postgres from 'postgres';

export type Row = Record<string, unknown>;

/** Rows of `table` read straight from the SQLite file the worker writes (null if no table yet). */
export function sqliteRows(path: string, query: string): Row[] | null {
  const db = new Database(path, { readonly: true });
  try {
    return db.query(query).all() as Row[];
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return null;
    throw error;
  } finally {
    db.close();
  }
}

export async function postgresRows(url: string, query: string): Promise<Row[] | null> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe(query))] as Row[];
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return null;
    throw error;
  } finally {
    await sql.end();
  }
}

/** Sink offsets as `topic/partition -> next offset`. */
export function offsetsByPartition(rows: Row[]): Map<string, number> {
  return new Map(rows.map((r) => [`${r.topic}/${r.kafka_partition}`, Number(r.next_offset)]));
}
