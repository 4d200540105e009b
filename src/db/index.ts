export { isTransientDbError } from './errors.ts';
export { openSinkStore } from './open.ts';
export { MissingTableError } from './table-shape.ts';
export type { ColumnKind, PartitionRef, Row, SinkStore, StoredPosition, TableChanges } from './types.ts';
