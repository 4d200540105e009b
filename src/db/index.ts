export { ColumnLimitError, DbError, isTransientDbError, MissingTableError, UnknownColumnError } from './errors.ts';
export { openSinkStore } from './open.ts';
export { reservedTableOwner } from './owned-tables.ts';
export type { ColumnKind, PartitionRef, PreparedBatch, Row, SinkStore, StoredPosition, TableChanges, TablePolicy } from './types.ts';
export { sqliteOutsideDataDir } from './sqlite-path.ts';
