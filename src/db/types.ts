/** Column kinds Inlet maps JSON values to; each dialect picks its own SQL type for a kind. */
export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'json';

export type Row = Record<string, unknown>;

/** Rows bound for one table, at most one per key (the caller keeps the latest). */
export interface UpsertSet {
  table: string;
  keyColumns: readonly string[];
  rows: readonly Row[];
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
  /** One transaction: upserts every set, then records the positions they advance to. */
  commitBatch(connector: string, upserts: readonly UpsertSet[], positions: readonly StoredPosition[]): Promise<void>;
  /** Stored next offsets by `topic/partition`, for the partitions that have one. */
  readOffsets(connector: string, partitions: readonly PartitionRef[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}
