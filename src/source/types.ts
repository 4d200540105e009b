/**
 * A record as a source connector hands it to Kafka, with the Kafka Connect notions of where it
 * came from: the source partition (a webhook endpoint, a table) and its offset there.
 */
export interface SourceRecord {
  topic: string;
  key: string | null;
  /** The serialized value (JSON text); null for a tombstone (a CDC delete's follower). */
  value: string | null;
  headers: Record<string, string>;
  sourcePartition: string;
  /** Null when the sender gave nothing to recognise a retry by. */
  sourceOffset: string | null;
}

/** Where Kafka put a delivered record (absent from writers that cannot tell, e.g. at the edge). */
export type DeliveryOutcome = { delivered: true; partition?: number; offset?: number } | { delivered: false; reason: string };

/** Where accepted records go: the Kafka producer on a worker, a forwarder at the edge. */
export interface RecordWriter {
  /** Resolves when every record has an outcome; never rejects for a single record's failure. */
  write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]>;
  /** False while the writer knows it cannot deliver (all brokers down), so callers fail fast. */
  available(): boolean;
}

/** A problem with one record of a request, for the 400 body. */
export interface RecordIssue {
  index: number;
  path: string;
  /** Set when the problem is a request header (a dedupe key sent as one), not a record's field. */
  header?: string;
  message: string;
}

export type ToRecordsResult = { ok: true; records: SourceRecord[] } | { ok: false; issues: RecordIssue[] };

export interface IngestRequest {
  headers: Headers;
  /** Each item's JSON text as sent, when the source can use it unchanged as the record's value. */
  texts?: readonly string[];
}

/** The raw push, before parsing: what a signature is computed over. */
export interface RawPush {
  body: string;
  headers: Headers;
  /** Unix milliseconds, for timestamp tolerance checks. */
  receivedAt: number;
}

/**
 * Outcome of authenticating a push. `check` names which check failed (e.g. "timestamp outside
 * tolerance"), for the 401 body; it never carries a secret or an expected signature.
 */
export type VerifyResult = { ok: true } | { ok: false; check: string };

/** A source connector: turns the parsed items of one push into source records. */
export interface SourceConnector {
  readonly name: string;
  readonly topics: readonly string[];
  readonly maxBodyBytes: number | undefined;
  readonly dedupe: { windowMs: number; maxEntries: number };
  /** Written through Kafka transactions together with its source offsets (exactly.once.support=required). */
  readonly exactlyOnce?: boolean;
  /** Set by sources whose offsets only grow (CDC LSNs): orders two offsets of one partition. */
  readonly offsetOrder?: (a: string, b: string) => number;
  /** Authenticates the raw push (signatures, tokens); absent for unauthenticated connectors. */
  verify?(push: RawPush): Promise<VerifyResult>;
  toRecords(items: readonly unknown[], request: IngestRequest): ToRecordsResult;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}
