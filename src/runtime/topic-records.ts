import { readTopics, topicPartitions, TopicTail, type ReadRecord } from '../kafka/index.ts';
import { SOURCE_HEADERS } from '../source/index.ts';
import { NotFoundError } from '../errors/index.ts';
import { parseTraceParent, TRACE_HEADERS } from '../trace/index.ts';
import type { RecordsFollow, RecordsFrom, TopicRecordView } from '../http/index.ts';
import type { Log } from '../log/index.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : utf8.decode(bytes);
}

function base64(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A record read from Kafka as the REST API shows it (see TopicRecordView). */
export function recordView(record: ReadRecord): TopicRecordView {
  let encoding: TopicRecordView['encoding'] = 'utf8';
  let key: string | null;
  let value: string | null;
  try {
    key = text(record.key);
    value = text(record.value);
  } catch {
    // Not UTF-8 (an Avro or protobuf payload written by someone else): shown as bytes.
    encoding = 'base64';
    key = base64(record.key);
    value = base64(record.value);
  }
  const headers = record.headers;
  const traceparent = headers[TRACE_HEADERS.parent];
  const traceId = traceparent === undefined ? undefined : parseTraceParent(traceparent)?.traceId;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp > 0 ? record.timestamp : null,
    encoding,
    key,
    value,
    headers,
    ...(headers[SOURCE_HEADERS.partition] !== undefined ? { source_partition: headers[SOURCE_HEADERS.partition] } : {}),
    ...(headers[SOURCE_HEADERS.offset] !== undefined ? { source_offset: headers[SOURCE_HEADERS.offset] } : {}),
    ...(traceId ? { trace_id: traceId } : {}),
  };
}

/** Refuses topics Kafka does not have, before a reader waits on them. */
async function requireTopics(brokers: string, topics: readonly string[], log: Log): Promise<void> {
  if (topics.length === 0) throw new NotFoundError('the connector has no topic to read');
  const partitions = await topicPartitions(brokers, topics, log);
  const missing = topics.filter((topic) => (partitions.get(topic)?.length ?? 0) === 0);
  if (missing.length > 0) throw new NotFoundError(`topic ${missing.join(', ')} does not exist (yet)`);
}

/**
 * Follows `topics` outside any consumer group (a TopicTail of its own, so a reader never moves a
 * sink's offsets) from each partition's beginning or end, for the records route.
 */
export async function followTopicRecords(
  brokers: string,
  topics: readonly string[],
  from: RecordsFrom,
  onRecord: (record: TopicRecordView) => void,
  log: Log,
): Promise<RecordsFollow> {
  await requireTopics(brokers, topics, log);
  // `end`: only records written from now on (none is recent enough to be read back).
  const since = from === 'end' ? { timestamp: Date.now(), maxRecords: 0 } : undefined;
  const tail = await TopicTail.start(brokers, topics, (record) => onRecord(recordView(record)), { since, log });
  return { stop: () => tail.stop() };
}

/** The newest `limit` records of `topics` (shared among their partitions), in offset order per partition. */
export async function newestRecords(brokers: string, topics: readonly string[], limit: number, log: Log): Promise<TopicRecordView[]> {
  await requireTopics(brokers, topics, log);
  const records: TopicRecordView[] = [];
  await readTopics(brokers, topics.map((topic) => ({ topic })), (record) => records.push(recordView(record)), { maxRecords: limit, log });
  return records;
}
