import type { Database as BetterSqliteDatabase } from 'better-sqlite3';

// node:sqlite (Deno, and Node from 22.5), driven through drizzle's better-sqlite3 session: drizzle
// 0.45 has no node:sqlite driver (it comes with drizzle 1.0), and node:sqlite's synchronous API is
// better-sqlite3's, a few names apart. The shim below gives a DatabaseSync the part of
// better-sqlite3's shape that drizzle's session and migrator call: prepare() with run/all/get and
// raw() (rows as arrays), and transaction().

/** The part of node:sqlite this module uses (@types/node 20 does not declare the module). */
interface StatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  setReturnArrays(enabled: boolean): void;
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (path: string) => DatabaseSync;
}

// Not a literal: @types/node 20 has no node:sqlite for the typechecker to resolve.
const NODE_SQLITE = 'node:sqlite';

/** A statement as better-sqlite3 has it: objects by default, arrays after raw(). */
function statement(native: StatementSync) {
  const rows = (arrays: boolean) => {
    native.setReturnArrays(arrays);
    return native;
  };
  return {
    run: (...params: unknown[]) => native.run(...params),
    all: (...params: unknown[]) => rows(false).all(...params),
    get: (...params: unknown[]) => rows(false).get(...params),
    raw: () => ({
      all: (...params: unknown[]) => rows(true).all(...params),
      get: (...params: unknown[]) => rows(true).get(...params),
    }),
  };
}

type Behavior = 'deferred' | 'immediate' | 'exclusive';

/**
 * better-sqlite3's transaction(fn): BEGIN, fn, COMMIT; ROLLBACK when fn throws, and when COMMIT
 * itself fails (SQLITE_BUSY leaves the transaction open), so the store's promise holds: a failed
 * commitBatch has rolled back.
 */
function transaction(db: DatabaseSync) {
  return <A extends unknown[], T>(fn: (...args: A) => T) => {
    const run = (behavior: Behavior) => (...args: A): T => {
      db.exec(`BEGIN ${behavior.toUpperCase()}`);
      try {
        const result = fn(...args);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // Already rolled back by SQLite (some errors end the transaction themselves).
        }
        throw error;
      }
    };
    return Object.assign(run('deferred'), { deferred: run('deferred'), immediate: run('immediate'), exclusive: run('exclusive') });
  };
}

/**
 * Opens `path` with node:sqlite, as a client for drizzle's better-sqlite3 driver; exec() and
 * close() as better-sqlite3 has them too.
 */
export async function openNodeSqlite(path: string): Promise<BetterSqliteDatabase> {
  const { DatabaseSync } = (await import(NODE_SQLITE)) as NodeSqlite;
  const native = new DatabaseSync(path);
  const shim = {
    prepare: (sql: string) => statement(native.prepare(sql)),
    transaction: transaction(native),
    exec: (sql: string) => native.exec(sql),
    close: () => native.close(),
  };
  // The shim carries only what drizzle and open.ts call; better-sqlite3's type is what drizzle's driver takes.
  return shim as unknown as BetterSqliteDatabase;
}
