import { randomUUID } from 'node:crypto';
import type { ConsumedRecord } from '../records/index.ts';
import { promised, type Metadata } from './backend.ts';
import { commonConfig, newConsumer, type ConsumerClient, type LibrdKafkaError, type Message } from './librdkafka.ts';
import { newestShare, type Span } from './newest-share.ts';
import { toConsumedRecord } from './message-record.ts';
import type { Log } from '../log/index.ts';

export interface TopicRange {
  topic: string;
  /** Start at the first record at or after this time (Unix ms); else at the earliest record. */
  fromTimestamp?: number;
  /** Start each listed partition at this offset. */
  fromOffsets?: ReadonlyMap<number, number>;
}

export interface ReadRecord extends ConsumedRecord {
  timestamp: number;
}


// A topic created a moment ago may have no leader yet; these clear up by themselves.
const SETTLING = new Set([3, 5, 6]); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER

/** Runs `fn` again while it fails with an error a young topic gives, until `timeoutMs` passes. */
export async function whileSettling<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn();
    } catch (error) {
      if (!SETTLING.has((error as LibrdKafkaError).code) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A message of the low-level consumer as a record with text headers. */
export function toReadRecord(m: Message): ReadRecord {
  return { ...toConsumedRecord(m), timestamp: m.timestamp ?? 0 };
}

/** Low and high watermarks of a partition, waiting out a young topic's leader election. */
export function watermarks(consumer: ConsumerClient, topic: string, partition: number, timeoutMs: number) {
  return whileSettling(
    () => promised<{ lowOffset: number; highOffset: number }>((cb) => consumer.queryWatermarkOffsets(topic, partition, timeoutMs, cb)),
    timeoutMs,
  );
}

/** Where reading `range` starts in `partition`, and where the partition ends now. */
export async function partitionSpan(consumer: ConsumerClient, range: TopicRange, partition: number, timeoutMs: number): Promise<Span> {
  const { lowOffset, highOffset } = await watermarks(consumer, range.topic, partition, timeoutMs);
  let start = Math.max(lowOffset, range.fromOffsets?.get(partition) ?? lowOffset);
  if (range.fromTimestamp !== undefined) {
    const [byTime] = await whileSettling(
      () => promised<{ offset: number }[]>((cb) => consumer.offsetsForTimes([{ topic: range.topic, partition, offset: range.fromTimestamp! }], timeoutMs, cb)),
      timeoutMs,
    );
    // -1: no record that recent in this partition.
    start = byTime && byTime.offset >= 0 ? Math.max(start, byTime.offset) : highOffset;
  }
  return { topic: range.topic, partition, start, end: highOffset };
}

/** A partition's first and next offsets (its low and high watermarks). */
export interface PartitionEnds {
  topic: string;
  partition: number;
  low: number;
  high: number;
}

/**
 * The watermarks of every partition of some topics (a topic that does not exist has none), over
 * one consumer outside any group that stays connected until `close()`. A paused sink's lag is
 * read at every scrape and every console sample (5 s): a client made per read was a connect, a
 * librdkafka instance and its threads every few seconds for as long as the connector was paused.
 */
export class PartitionEndsReader {
  private consumer: Promise<ConsumerClient> | undefined;
  private closed = false;

  constructor(
    private readonly brokers: string,
    private readonly log: Log,
  ) {}

  async read(topics: readonly string[], timeoutMs: number): Promise<PartitionEnds[]> {
    // A read that began before close() must not make a client nobody closes.
    if (this.closed) throw new Error('the partition ends reader is closed');
    const consumer = await (this.consumer ??= this.connect(timeoutMs));
    const ends: PartitionEnds[] = [];
    // One topic at a time, as openReader: every topic's metadata would block the JS thread on the FFI backend.
    for (const topic of new Set(topics)) {
      const metadata = await promised<Metadata>((cb) => consumer.getMetadata({ topic, timeout: timeoutMs }, cb));
      for (const { id: partition } of metadata.topics.find((t) => t.name === topic)?.partitions ?? []) {
        const { lowOffset, highOffset } = await watermarks(consumer, topic, partition, timeoutMs);
        ends.push({ topic, partition, low: lowOffset, high: highOffset });
      }
    }
    return ends;
  }

  /** Disconnects the consumer, if one was made; reads fail from now on. */
  async close(): Promise<void> {
    this.closed = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.then((client) => promised((cb) => client.disconnect(cb))).catch(() => {});
  }

  private async connect(timeoutMs: number): Promise<ConsumerClient> {
    const consumer = newConsumer({ ...commonConfig(this.brokers, 'inlet-reader'), 'group.id': `inlet-reader-${randomUUID()}`, 'enable.auto.commit': false }, this.log);
    try {
      await promised((cb) => consumer.connect({ timeout: timeoutMs }, cb));
      if (this.closed) throw new Error('the partition ends reader is closed');
      return consumer;
    } catch (error) {
      // Kafka away: the next read tries a new client (librdkafka keeps retrying a connected one).
      this.consumer = undefined;
      await promised((cb) => consumer.disconnect(cb)).catch(() => {});
      throw error;
    }
  }
}

export interface ReadOptions {
  /** Where the reader's librdkafka logs and errors go. */
  log: Log;
  /** Give up when no record arrives for this long (and bound each metadata call by it). */
  timeoutMs?: number;
  /**
   * Read at most this many records over all ranges, the newest of each partition, shared in
   * proportion to what each partition holds past its start.
   */
  maxRecords?: number;
}

/** A reader consumer outside any group, with the spans it is to read, up to the end offsets seen at start. */
async function openReader(
  brokers: string,
  ranges: readonly TopicRange[],
  log: Log,
  timeoutMs: number,
  maxRecords: number | undefined,
  prefetch: Record<string, number> = {},
): Promise<{ consumer: ConsumerClient; spans: Span[] }> {
  const consumer = newConsumer(
    {
      ...commonConfig(brokers, 'inlet-reader'),
      'group.id': `inlet-reader-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'isolation.level': 'read_committed',
      ...prefetch,
    },
    log,
    { 'auto.offset.reset': 'earliest' },
  );
  await promised((cb) => consumer.connect({ timeout: timeoutMs }, cb));
  try {
    // One topic at a time: every topic's metadata would block the JS thread on the FFI backend.
    const topics = new Map<string, { id: number }[]>();
    for (const topic of new Set(ranges.map((r) => r.topic))) {
      const metadata = await promised<Metadata>((cb) => consumer.getMetadata({ topic, timeout: timeoutMs }, cb));
      topics.set(topic, metadata.topics.find((t) => t.name === topic)?.partitions ?? []);
    }
    let spans: Span[] = [];
    for (const range of ranges) {
      const partitions = topics.get(range.topic) ?? [];
      for (const { id: partition } of partitions) {
        const span = await partitionSpan(consumer, range, partition, timeoutMs);
        if (span.start < span.end) spans.push(span);
      }
    }
    if (maxRecords !== undefined) spans = newestShare(spans, maxRecords);
    return { consumer, spans };
  } catch (error) {
    await promised((cb) => consumer.disconnect(cb)).catch(() => {});
    throw error;
  }
}

/**
 * Consumes `spans` in batches of at most `batchSize` records (fewer when the fetch has fewer),
 * handing each to `onBatch` and waiting for it before the next. `onBatch` may drop a partition
 * (its later records are skipped and not waited for) or return false to stop.
 */
async function consumeSpans(
  consumer: ConsumerClient,
  spans: readonly Span[],
  what: string,
  timeoutMs: number,
  batchSize: number,
  onBatch: (records: ReadRecord[], drop: (topic: string, partition: number) => void) => Promise<boolean | void> | boolean | void,
): Promise<void> {
  if (spans.length === 0) return;
  const assignments = spans.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.start }));
  const remaining = new Map(spans.map((s) => [`${s.topic}/${s.partition}`, s.end - 1])); // partition -> last offset to read
  const lastOffsets = new Map(remaining);
  const drop = (topic: string, partition: number) => {
    remaining.delete(`${topic}/${partition}`);
    lastOffsets.delete(`${topic}/${partition}`);
  };
  // EOF events fire while a batch is fetched, before its callback: they only end the loop.
  consumer.on('partition.eof', (eof: { topic: string; partition: number }) => remaining.delete(`${eof.topic}/${eof.partition}`));
  consumer.assign(assignments);
  // A long read that keeps making progress is not a timeout; a stalled one is.
  let deadline = Date.now() + timeoutMs;
  while (remaining.size > 0) {
    if (Date.now() > deadline) throw new Error(`reading ${what} timed out`);
    const messages = await promised<Message[]>((cb) => consumer.consume(batchSize, cb));
    if (messages.length > 0) deadline = Date.now() + timeoutMs;
    const batch: ReadRecord[] = [];
    for (const m of messages) {
      const key = `${m.topic}/${m.partition}`;
      const last = lastOffsets.get(key);
      if (last === undefined || m.offset > last) continue;
      batch.push(toReadRecord(m));
      if (m.offset >= last) remaining.delete(key);
    }
    if (batch.length > 0 && (await onBatch(batch, drop)) === false) return;
  }
}

/**
 * Reads topics from a start position up to the end offsets seen when the read began, outside any
 * consumer group: the way a worker restores state kept in Kafka (source offsets, recent ids).
 */
export async function readTopics(
  brokers: string,
  ranges: readonly TopicRange[],
  onRecord: (record: ReadRecord) => void,
  { log, timeoutMs = 60_000, maxRecords }: ReadOptions,
): Promise<void> {
  if (ranges.length === 0) return;
  const { consumer, spans } = await openReader(brokers, ranges, log, timeoutMs, maxRecords);
  try {
    await consumeSpans(consumer, spans, ranges.map((r) => r.topic).join(', '), timeoutMs, 1000, (records) => {
      for (const record of records) onRecord(record);
    });
  } finally {
    await promised((cb) => consumer.disconnect(cb)).catch(() => {});
  }
}

export interface BatchReadOptions {
  /** Where the reader's librdkafka logs and errors go. */
  log: Log;
  timeoutMs?: number;
  /** Most records handed over at once. librdkafka's prefetch is bounded to about as many. */
  batchSize: number;
}

/**
 * Reads topics as readTopics does, but hands the records over in batches of at most `batchSize`
 * and fetches the next only once `onBatch` is done with one, so a long topic is never held whole.
 * `onBatch` may drop a partition (the rest of it is not read) or return false to stop early.
 */
export async function readTopicBatches(
  brokers: string,
  ranges: readonly TopicRange[],
  onBatch: (records: ReadRecord[], drop: (topic: string, partition: number) => void) => Promise<boolean | void>,
  { log, timeoutMs = 60_000, batchSize }: BatchReadOptions,
): Promise<void> {
  if (ranges.length === 0) return;
  // librdkafka prefetches up to 64 MiB a partition by default; keep what waits beside a batch small.
  const prefetch = { 'queued.min.messages': batchSize, 'queued.max.messages.kbytes': 4096 };
  const { consumer, spans } = await openReader(brokers, ranges, log, timeoutMs, undefined, prefetch);
  try {
    await consumeSpans(consumer, spans, ranges.map((r) => r.topic).join(', '), timeoutMs, batchSize, onBatch);
  } finally {
    await promised((cb) => consumer.disconnect(cb)).catch(() => {});
  }
}
