import { parseJson } from '../json/index.ts';
import type { ConsumedRecord } from '../kafka/index.ts';

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

function parseKey(key: Buffer | null): unknown {
  if (key === null) return null;
  const text = key.toString('utf8');
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

/** Parses a consumed record; a value that is not JSON makes it errant. */
export function toSinkRecord(consumed: ConsumedRecord): SinkRecord {
  let value: unknown = null;
  if (consumed.value !== null) {
    try {
      value = parseJson(consumed.value.toString('utf8'));
    } catch (error) {
      throw new ErrantRecordError(consumed, `value is not JSON (${(error as Error).message})`);
    }
  }
  return {
    topic: consumed.topic,
    partition: consumed.partition,
    offset: consumed.offset,
    timestamp: consumed.timestamp ?? 0,
    key: parseKey(consumed.key),
    value,
    headers: consumed.headers,
  };
}

/** A single message transform chain (src/transforms): a record in, a record or null (dropped) out. */
export interface RecordTransform {
  apply(record: SinkRecord): SinkRecord | null;
}
