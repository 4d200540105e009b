/**
 * Column kinds Inlet maps values to; each dialect picks its own SQL type for a kind. `integer` is
 * 64-bit and `real` double precision (what JSON numbers infer to); the narrower kinds, `decimal`,
 * `bytes` and the temporal ones come from a Kafka Connect / Debezium schema.
 */
export type ColumnKind =
  | 'text'
  | 'int16'
  | 'int32'
  | 'integer'
  | 'float32'
  | 'real'
  | 'decimal'
  | 'boolean'
  | 'json'
  | 'bytes'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'uuid';

export type Row = Record<string, unknown>;

/**
 * What one batch does to one table, applied in this order: truncate, deletes, upserts. At most one
 * change per key, and a key is in `rows` or in `deletes`, never both (the caller keeps the latest).
 * A table without key columns (append) takes every row as a plain insert and no deletes.
 */
export interface TableChanges {
  table: string;
  keyColumns: readonly string[];
  /** Rows to upsert on the key (to insert, without key columns). */
  rows: readonly Row[];
  /** Rows to delete, each given by its key columns. A table that does not exist has none to delete. */
  deletes?: readonly Row[];
  /** Empty the table first (a truncate came before every change in `rows` and `deletes`). */
  truncate?: boolean;
  /** Column kinds the records' schema declares; columns not named here are inferred from values. */
  columnTypes?: ReadonlyMap<string, ColumnKind>;
}

/** The columns of a target table, as far as Inlet needs to know them. */
export interface TableShape {
  name: string;
  columns: Map<string, ColumnKind>;
  keyColumns: readonly string[];
}

/**
 * A batch's changes, each with the shape of its table, resolved once (SinkStore.prepareBatch)
 * before the batch's transaction opens. Tables that only delete or truncate and do not exist are
 * left out: they have nothing to remove.
 */
export type PreparedBatch = readonly { change: TableChanges; shape: TableShape }[];

/** How far a sink may change a target table to fit its rows. */
export interface TablePolicy {
  /** Create a missing table (only with evolution `basic`). */
  autoCreate: boolean;
  /** `basic`: create (if autoCreate) and add new fields as nullable columns; `none`: never alter. */
  evolution: 'none' | 'basic';
  /** Most columns a table may have once Inlet has added what the rows need; none: the database's own limit. */
  maxColumns?: number;
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
  /** Longest table or column name the database keeps whole, in UTF-8 bytes (PostgreSQL cuts longer ones short). */
  readonly maxIdentifierBytes: number;
  /**
   * Makes each table with rows to upsert able to take them as `policy` allows: creates it and
   * adds missing nullable columns, never drops or narrows one. Deletes and truncates alone never
   * create a table. Resolves every table's shape once, for commitBatch. Throws MissingTableError
   * when a table is missing and may not be created, UnknownColumnError when a row has a field its
   * table lacks and may not gain, ColumnLimitError when gaining them would take the table past
   * `policy.maxColumns` (all DbErrors).
   */
  prepareBatch(changes: readonly TableChanges[], policy: TablePolicy): Promise<PreparedBatch>;
  /** One transaction: applies a prepared batch's changes, then records the positions they advance to. */
  commitBatch(connector: string, batch: PreparedBatch, positions: readonly StoredPosition[]): Promise<void>;
  /**
   * After commitBatch failed with `failure`, possibly once the server had committed (a reply lost
   * with the connection): makes sure that attempt can no longer commit, then returns the stored
   * next offsets for `partitions`, which tell whether it did.
   */
  settleOffsets(connector: string, partitions: readonly PartitionRef[], failure: unknown): Promise<Map<string, number>>;
  /** Stored next offsets by `topic/partition`, for the partitions that have one. */
  readOffsets(connector: string, partitions: readonly PartitionRef[]): Promise<Map<string, number>>;
  /** A trivial query (`SELECT 1`): resolves when the database answers, for the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
