import type { KafkaProducer } from '../kafka/index.ts';
import type { ProducerRecord } from '../records/index.ts';
import type { SourceRecord } from '../source/index.ts';
import { KafkaMap } from './kafka-map.ts';
import { parseJson, SourceOffsetKeySchema, SourceOffsetRecordSchema, type SourceOffsetRecord } from './stored-records.ts';
import type { Log } from '../log/index.ts';

/** Kafka Connect's offsets-topic key: `["<connector>", {"partition": …}]`. */
const recordKey = (connector: string, partition: string) => JSON.stringify([connector, { partition }]);

/** The offsets-topic records for the latest offset each source partition of `records` reached. */
export function offsetRecords(topic: string, records: readonly SourceRecord[], connectorOf: (record: SourceRecord) => string): ProducerRecord[] {
  const latest = new Map<string, string>();
  for (const record of records) {
    if (record.sourceOffset !== null) latest.set(recordKey(connectorOf(record), record.sourcePartition), record.sourceOffset);
  }
  return [...latest].map(([key, offset]) => ({ topic, key, value: JSON.stringify({ offset }), headers: {} }));
}

function parseKey(key: string): [connector: string, partition: string] | undefined {
  const parsed = parseJson(SourceOffsetKeySchema, key);
  return parsed.ok ? [parsed.value[0], parsed.value[1].partition] : undefined;
}

/**
 * Source offsets by connector and source partition, kept in a compacted Kafka topic as Kafka
 * Connect keeps them and followed by every worker, so a restarted or another worker knows how far
 * each source got. Writes from the ingest path are coalesced and flushed every second.
 */
export class SourceOffsetStore {
  private readonly dirty = new Map<string, SourceOffsetRecord | null>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly map: KafkaMap<SourceOffsetRecord>,
    private readonly log: Log,
  ) {}

  static async open(brokers: string, topic: string, writer: KafkaProducer, log: Log) {
    const map = await KafkaMap.open<SourceOffsetRecord>({
      brokers,
      topic,
      partitions: 5,
      writer,
      schema: SourceOffsetRecordSchema,
      log,
    });
    return new SourceOffsetStore(map, log);
  }

  /** All stored offsets of a connector, including ones not flushed yet. */
  entries(connector: string): [partition: string, offset: string][] {
    const merged = new Map<string, SourceOffsetRecord | null>(this.map.entries());
    for (const [key, value] of this.dirty) merged.set(key, value);
    const found: [string, string][] = [];
    for (const [key, value] of merged) {
      const parsed = parseKey(key);
      if (parsed && parsed[0] === connector && value) found.push([parsed[1], value.offset]);
    }
    return found.sort(([a], [b]) => a.localeCompare(b));
  }

  set(connector: string, partition: string, offset: string): void {
    this.dirty.set(recordKey(connector, partition), { offset });
  }

  remove(connector: string, partition: string): void {
    this.dirty.set(recordKey(connector, partition), null);
  }

  /** Writes changed offsets every `intervalMs` (Connect's offset.flush.interval.ms). */
  startFlushing(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dirty.size === 0) return;
      const batch = [...this.dirty];
      this.dirty.clear();
      try {
        await this.map.setMany(batch);
      } catch (error) {
        // Keep values set meanwhile; otherwise try these again on the next flush.
        for (const [key, value] of batch) if (!this.dirty.has(key)) this.dirty.set(key, value);
        this.log.warn(`writing source offsets failed, will retry: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.map.close();
  }
}
