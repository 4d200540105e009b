import { parseJson } from '../json/index.ts';
import type { ConsumedRecord } from '../records/index.ts';
import { ErrantRecordError, type SinkRecord } from '../records/index.ts';

const utf8 = new TextDecoder();

function parseKey(key: Uint8Array | null): unknown {
  if (key === null) return null;
  const text = utf8.decode(key);
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

/** Parses a consumed record (Kafka Connect's JsonConverter); a value that is not JSON makes it errant. */
export function toSinkRecord(consumed: ConsumedRecord): SinkRecord {
  let value: unknown = null;
  if (consumed.value !== null) {
    try {
      value = parseJson(utf8.decode(consumed.value));
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
