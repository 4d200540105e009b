export { ColumnLimitError, DbError, isTransientDbError, MissingTableError, UnknownColumnError } from './errors.ts';
export { reservedTableOwner } from './owned-tables.ts';
export type { ColumnKind, PartitionRef, PreparedBatch, Row, SinkStore, StoredPosition, TableChanges, TablePolicy } from './types.ts';
