/**
 * The herder, in Kafka Connect's words: what the REST API calls to read and change the cluster's
 * connectors. Shapes are Connect's.
 */

export type ConnectorType = 'source' | 'sink';
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: ConnectorType;
}

export interface TaskStatusView {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatusView {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: TaskStatusView[];
  type: ConnectorType;
}

export interface OffsetEntry {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface ConfigValueReport {
  name: string;
  value: string | null;
  errors: string[];
}

/**
 * A record of a connector's topic (or dead-letter topic) as the API shows it: the records stream and
 * the dead-letter list. Key and value are UTF-8 text, or base64 when either is not (`encoding`).
 */
export interface TopicRecordView {
  topic: string;
  partition: number;
  offset: number;
  /** Unix milliseconds; null where the broker gave none. */
  timestamp: number | null;
  encoding: 'utf8' | 'base64';
  key: string | null;
  value: string | null;
  /** Every Kafka header, as text (`inlet.source.*`, `__connect.errors.*`, `traceparent`, …). */
  headers: Record<string, string>;
  /** From the `inlet.source.*` headers of a source's record. */
  source_partition?: string;
  source_offset?: string;
  /** From a W3C `traceparent` header. */
  trace_id?: string;
}

/** Where a records stream starts: each partition's first record, or what arrives from now on. */
export type RecordsFrom = 'beginning' | 'end';

/** A running follow of a connector's topics; stop() ends it. */
export interface RecordsFollow {
  stop(): Promise<void>;
}

export interface Herder {
  names(): string[];
  info(name: string): ConnectorInfo | undefined;
  status(name: string): ConnectorStatusView | undefined;
  /** Throws AlreadyExistsError if the name is taken, InvalidConfigError if the config is invalid (src/errors). */
  create(name: string, config: Record<string, unknown>, initialState?: TargetState): Promise<ConnectorInfo>;
  /** Values sent back as GET shows them (`[hidden]`) keep the stored ones. */
  putConfig(name: string, config: Record<string, unknown>): Promise<{ created: boolean; info: ConnectorInfo }>;
  /** Merges `patch` into the stored config (null removes a key); NotFoundError if there is none. */
  patchConfig(name: string, patch: Record<string, unknown>): Promise<ConnectorInfo>;
  remove(name: string): Promise<void>;
  setTargetState(name: string, state: TargetState): Promise<void>;
  /** Resolves to the status before the restart, what will restart marked RESTARTING (KIP-745). */
  restart(name: string, options: { includeTasks: boolean; onlyFailed: boolean; task?: number }): Promise<ConnectorStatusView>;
  offsets(name: string): Promise<OffsetEntry[]>;
  /** Only while the connector is STOPPED (KIP-875). `null` offsets remove a partition's offset. */
  alterOffsets(name: string, entries: OffsetEntry[]): Promise<void>;
  resetOffsets(name: string): Promise<void>;
  topics(name: string): string[];
  plugins(): { class: string; type: ConnectorType; version: string }[];
  /**
   * Applies a sink connector's dead letters again (Inlet's own endpoint, not Connect's); with
   * `throughOffset`, only those at or below it in each partition.
   */
  replayDeadLetters(name: string, throughOffset?: number): Promise<{ replayed: number; blocked: { partition: number; offset: number; error: string } | null; more: boolean }>;
  /**
   * Follows the connector's topics (a source's or a sink's), calling `onRecord` for each record
   * read; resolves once the records written before the call from `from` on were handed over.
   */
  followRecords(name: string, from: RecordsFrom, onRecord: (record: TopicRecordView) => void): Promise<RecordsFollow>;
  /** The newest `limit` records of the connector's topics (shared among their partitions), in offset order per partition. */
  latestRecords(name: string, limit: number): Promise<TopicRecordView[]>;
  /** The newest `limit` records of a sink connector's dead-letter topic, oldest first. */
  deadLetters(name: string, limit: number): Promise<TopicRecordView[]>;
  /**
   * Per partition of a sink's dead-letter topic, the offset its replay applies next: the letters
   * below it were replayed. Empty for a connector with no dead-letter topic.
   */
  deadLetterReplayPositions(name: string): Promise<Map<number, number>>;
  /** undefined when no plugin has that class. */
  validate(pluginClass: string, config: Record<string, unknown>): ConfigValueReport[] | undefined;
}
