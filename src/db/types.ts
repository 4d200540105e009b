/** Column kinds Inlet maps JSON values to; each dialect picks its own SQL type for a kind. */
export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'json';

export type Row = Record<string, unknown>;

/**
 * What one batch does to one table, applied in this order: truncate, deletes, upserts. At most one
 * change per key, and a key is in `rows` or in `deletes`, never both (the caller keeps the latest).
 */
export interface TableChanges {
  table: string;
  keyColumns: readonly string[];
  /** Rows to upsert on the key. */
  rows: readonly Row[];
  /** Rows to delete, each given by its key columns. A table that does not exist has none to delete. */
  deletes?: readonly Row[];
  /** Empty the table first (a truncate came before every change in `rows` and `deletes`). */
  truncate?: boolean;
}

export interface StoredPosition {
  topic: string;
  partition: number;
  /** The offset of the next record to apply. */
  nextOffset: number;
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

/** What a sink needs from its database. Callers never check which dialect they have. */
export interface SinkStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Makes `table` able to take `rows`: creates it (when allowed) and adds missing nullable columns. */
  prepareTable(table: string, keyColumns: readonly string[], rows: readonly Row[], autoCreate: boolean): Promise<void>;
  /**
   * One transaction: applies every table's changes (a table with rows to upsert must have been
   * prepared), then records the positions they advance to.
   */
  commitBatch(connector: string, changes: readonly TableChanges[], positions: readonly StoredPosition[]): Promise<void>;
  /** Stored next offsets by `topic/partition`, for the partitions that have one. */
  readOffsets(connector: string, partitions: readonly PartitionRef[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}
