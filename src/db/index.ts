export { driverError, isTransientDbError } from './errors.ts';
export { openSinkStore } from './open.ts';
export { reservedTableOwner } from './owned-tables.ts';
export { ColumnLimitError, MissingTableError, UnknownColumnError } from './table-shape.ts';
export type { ColumnKind, PartitionRef, Row, SinkStore, StoredPosition, TableChanges, TablePolicy } from './types.ts';
export { sqliteOutsideDataDir } from './sqlite-path.ts';
