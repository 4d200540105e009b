import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresSinkStore, type PgSessionRunner } from './postgres.ts';
import { SqliteSinkStore } from './sqlite.ts';
import type { SinkStore } from '../types.ts';
import type { Log } from '../../log/index.ts';

/** The `migrations/` folder: beside the sources in a checkout, beside `dist/` in a build. */
function migrationsRoot(override: string | undefined): string {
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'migrations', 'sqlite', 'meta', '_journal.json'))) return join(dir, 'migrations');
    dir = dirname(dir);
  }
  throw new Error('cannot find the migrations/ folder; set INLET_MIGRATIONS_DIR');
}

/**
 * Runs a SQLite store's set-up (pragmas, migrations) again when it fails, twice at most. Workers
 * open one fresh file at once when a sink connector starts on each: drizzle's migrator reads which
 * migrations were applied before it takes the write lock, so several may decide to migrate, and
 * once the first commits the others' CREATE TABLE fails ("already exists"; the connector FAILED
 * at start); and on Node the switch to WAL can answer "database is locked" without waiting.
 * Their transaction is rolled back; asked again, each finds the file migrated. A set-up that truly
 * fails fails every time, and that error is thrown.
 */
async function setUpBesideOtherWorkers(setUp: () => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return setUp();
    } catch (error) {
      if (attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function openSqlite(path: string, migrationsDir: string | undefined): Promise<SinkStore> {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  // busy_timeout first: switching to WAL takes a lock, and another worker opening the same file
  // (migrating it) must be waited for, not fail the sink with "database is locked". better-sqlite3
  // waits 5 s by default; bun:sqlite not at all.
  const pragmas = ['PRAGMA busy_timeout = 10000', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL'];
  const migrationsFolder = join(migrationsRoot(migrationsDir), 'sqlite');
  // bun:sqlite on Bun, node:sqlite on Deno, better-sqlite3 on Node: same SQL, same file.
  if (typeof Bun !== 'undefined') {
    const { Database } = await import('bun:sqlite');
    const { drizzle } = await import('drizzle-orm/bun-sqlite');
    const { migrate } = await import('drizzle-orm/bun-sqlite/migrator');
    const client = new Database(path, { create: true });
    const db = drizzle({ client });
    await setUpBesideOtherWorkers(() => {
      for (const pragma of pragmas) client.run(pragma);
      migrate(db, { migrationsFolder });
    });
    return new SqliteSinkStore(db, () => client.close());
  }
  // better-sqlite3 on Node; on Deno, which loads no such addon, node:sqlite behind the same
  // drizzle driver (see node-sqlite.ts).
  const { drizzle } = await import('drizzle-orm/better-sqlite3');
  const { migrate } = await import('drizzle-orm/better-sqlite3/migrator');
  const client = 'Deno' in globalThis ? await (await import('./node-sqlite.ts')).openNodeSqlite(path) : new (await import('better-sqlite3')).default(path);
  const db = drizzle({ client });
  await setUpBesideOtherWorkers(() => {
    for (const pragma of pragmas) client.exec(pragma);
    migrate(db, { migrationsFolder });
  });
  return new SqliteSinkStore(db, () => client.close());
}

// node-postgres, not postgres.js: when a backend dies under a reserved connection (a
// transaction), postgres.js 3.4 throws from a setImmediate and takes the process down
// (porsager/postgres#1066, #1154, #1208, open); node-postgres rejects the query instead.
async function openPostgres(url: string, migrationsDir: string | undefined, log: Log): Promise<SinkStore> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // A server that stops answering fails the checkout (and the retry loop goes on) instead of
  // leaving it waiting forever.
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  // A connection the server drops emits 'error' on its client (checked out, as in a transaction)
  // or on the pool (idle); unheard, that event would end the process. The query in flight
  // rejects on its own and is retried, and the pool replaces the connection.
  pool.on('error', (error) => log.warn(`postgres: idle connection lost: ${error.message}`));
  pool.on('connect', (client) => client.on('error', (error) => log.warn(`postgres: connection lost: ${error.message}`)));
  const db = drizzle({ client: pool });
  // Workers opening a fresh database at once would race in CREATE … IF NOT EXISTS (PostgreSQL
  // then fails one with a duplicate pg_type key): one migrates at a time, under a session lock.
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['inlet.migrations']);
    await migrate(db, { migrationsFolder: join(migrationsRoot(migrationsDir), 'postgres') });
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', ['inlet.migrations']).catch(() => {});
    lock.release();
  }
  // pool.end() waits for every client to be released; one whose backend died mid-transaction
  // may never be, so closing waits a bounded time (the process is going away anyway).
  const end = () => Promise.race([pool.end(), new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())]);
  // Batches run on a client checked out here, not through drizzle's pooled transaction(): that
  // runs BEGIN outside its try/finally, so a BEGIN on a dropped connection leaks the client for
  // good (drizzle-orm#6241, open), and it hands a client whose ROLLBACK failed back to the pool
  // (#6114). Four such leaks and every later batch waited on an empty pool. The backend's pid
  // goes with it: a batch whose reply was lost is settled by waiting for that backend to end.
  const session: PgSessionRunner = async (work) => {
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      // Set from the server's BackendKeyData on connect; @types/pg does not declare it.
      return await work(drizzle({ client }), (client as { processID?: number | null }).processID ?? null);
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      // Destroyed, not reused, after any failure: whether the ROLLBACK went through is unknown.
      client.release(failed);
    }
  };
  const { rows } = await pool.query<{ max_identifier_length: string }>('SHOW max_identifier_length');
  return new PostgresSinkStore(db, session, end, Number(rows[0]?.max_identifier_length ?? 63));
}

/** Opens `sqlite:<path>` or `postgres://…` and brings Inlet's own tables up to date. */
/**
 * `log` hears of connections the database drops; `migrationsDir`: the worker's INLET_MIGRATIONS_DIR,
 * found beside the sources or the bundle when absent.
 */
export async function openSinkStore(url: string, log: Log, migrationsDir?: string): Promise<SinkStore> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length) || ':memory:', migrationsDir);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, migrationsDir, log);
  throw new Error(`unsupported database url "${url.split(':')[0]}:…": use sqlite:<path> or postgres://`);
}
