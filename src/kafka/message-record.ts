import type { ConsumedRecord } from '../records/index.ts';
import type { Message } from './librdkafka.ts';

/**
 * A message's headers as text. A name that repeats keeps its last value, the one Kafka Connect's
 * `Headers.lastWithName` gives transforms and converters.
 */
export function textHeaders(m: Pick<Message, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of m.headers ?? []) for (const name in header) headers[name] = header[name]!.toString();
  return headers;
}

/** A native message as a record with text headers: what sink tasks and topic readers both take. */
export function toConsumedRecord(m: Message): ConsumedRecord {
  return { topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: (m.key as Buffer | null | undefined) ?? null, value: m.value ?? null, headers: textHeaders(m) };
}
