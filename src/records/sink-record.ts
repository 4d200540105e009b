/**
 * A consumed record with its key and value parsed: what transforms work on and what the sink
 * applies (Kafka Connect's SinkRecord). `value` null is a tombstone.
 */
export interface SinkRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Unix milliseconds, as Kafka stored it. */
  timestamp: number;
  /**
   * Parsed JSON when the key is JSON; else the key's text; null when there is none. Numbers no
   * double holds are bigints and JsonDecimals (src/json), as in `value`.
   */
  key: unknown;
  value: unknown;
  headers: Record<string, string>;
}

/** A record that can never be applied, with where it sits in Kafka. */
export class ErrantRecordError extends Error {
  override name = 'ErrantRecordError';
  constructor(
    readonly record: Pick<SinkRecord, 'topic' | 'partition' | 'offset'>,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${record.topic}/${record.partition}@${record.offset}: ${reason}`, options);
  }
}

/**
 * A single message transform, or a chain of them (Kafka Connect's Transformation): the record it
 * becomes, or null to drop it. Never mutates its input.
 */
export interface Transformation {
  apply(record: SinkRecord): SinkRecord | null;
}
