import type { ProducerRecord } from '../records/index.ts';

/**
 * A record as a source connector hands it to Kafka (a null value is a tombstone, a CDC delete's
 * follower), with the Kafka Connect notions of where it came from: the source partition (a webhook
 * endpoint, a table) and its offset there.
 */
export interface SourceRecord extends ProducerRecord {
  sourcePartition: string;
  /** Null when the sender gave nothing to recognise a retry by. */
  sourceOffset: string | null;
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
