// The metrics port: what the data path measures, in its own words. The runtime implements it with
// prom-client (src/runtime/metrics.ts); the neutral folders never see a metrics library. Each
// meter is bound to its labels once (a connector, a status), so recording on the hot path is a
// map lookup and an add, never a label string built per record or per request.

/** Ingest's measurements of one source connector. */
export interface IngestMeter {
  /** A push was answered `status` after `seconds`. */
  request(status: number, seconds: number): void;
  /** A push's records: written, answered as duplicates. */
  records(accepted: number, duplicates: number): void;
  /** A push refused for its records (schema, header, offset): none of them was written. */
  rejected(records: number): void;
  /** Request body bytes read. */
  received(bytes: number): void;
}

/** Ingest's meters by connector name; a name no connector has shares one meter. */
export interface IngestMetrics {
  connector(name: string | undefined): IngestMeter;
}

const NOOP_INGEST_METER: IngestMeter = { request() {}, records() {}, rejected() {}, received() {} };

/** Measures nothing: for code run without a worker (tests, the edge). */
export const NO_INGEST_METRICS: IngestMetrics = { connector: () => NOOP_INGEST_METER };

/** What a producer measures of its writes. */
export interface ProducerMeter {
  /** A write's records all had their delivery reports, `seconds` after they were produced. */
  delivered(seconds: number): void;
}

/** A sink connector's measurements on this worker (all its tasks here share them). */
export interface SinkMeter {
  /** A partition batch committed: its records applied, in `seconds` from plan to commit. */
  applied(records: number, seconds: number): void;
  /** Records written to the dead-letter topic. */
  deadLettered(records: number): void;
  /** A transient database error is about to be retried. */
  retried(): void;
  /** The task's consumer was assigned or revoked partitions. */
  rebalanced(): void;
}

export const NO_SINK_METER: SinkMeter = { applied() {}, deadLettered() {}, retried() {}, rebalanced() {} };
