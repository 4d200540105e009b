import { getTableName, is, Table } from 'drizzle-orm';
import * as pgSchema from './schema/pg.ts';
import * as sqliteSchema from './schema/sqlite.ts';

/** drizzle-orm's migrator keeps its journal here (in the `drizzle` schema on PostgreSQL, in the file on SQLite). */
const MIGRATIONS_TABLE = '__drizzle_migrations';

// Names compare case-insensitively: SQLite's identifiers are, even quoted.
const INLET_TABLES = new Set(
  [...Object.values(pgSchema), ...Object.values(sqliteSchema)]
    .filter((value) => is(value, Table))
    .map((table) => getTableName(table as Table).toLowerCase())
    .concat(MIGRATIONS_TABLE),
);

// Unqualified, `pg_class` reaches pg_catalog's (searched first); SQLite keeps `sqlite_*` for itself.
const SYSTEM_PREFIXES = ['pg_', 'sqlite_'];

/**
 * Who owns a table a sink must never write: Inlet (its sink offsets, which also hold the DLQ
 * replay positions, and its migrations journal), or the database itself (its catalogs). Undefined
 * for any other name.
 */
export function reservedTableOwner(table: string): 'Inlet' | 'the database' | undefined {
  const name = table.toLowerCase();
  if (INLET_TABLES.has(name)) return 'Inlet';
  if (SYSTEM_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'the database';
  return undefined;
}
