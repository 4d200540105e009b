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
