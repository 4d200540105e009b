// The database drivers (node-postgres, better-sqlite3, bun:sqlite) and what needs the filesystem:
// runtime-specific, so only the runtime and the entry points reach them. Everything else sees
// src/db/index.ts, which the runtime-neutral typecheck covers.
export { openSinkStore } from './open.ts';
export { sqliteOutsideDataDir } from './sqlite-path.ts';
