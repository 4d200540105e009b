import { ensureTopics, readTopics, type KafkaRecordWriter } from '../kafka/index.ts';

export const OFFSETS_TOPIC = 'inlet-offsets';

/** Kafka Connect's offsets-topic key: `["<connector>", {"partition": …}]`. */
const recordKey = (connector: string, partition: string) => JSON.stringify([connector, { partition }]);

/**
 * Source offsets by connector and source partition, kept in a compacted Kafka topic as Kafka
 * Connect keeps them, so a restarted worker knows how far each source got.
 */
export class SourceOffsetStore {
  private readonly offsets = new Map<string, Map<string, string>>();
  private readonly dirty = new Map<string, { connector: string; partition: string; offset: string }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly brokers: string,
    private readonly producer: KafkaRecordWriter,
    private readonly log: (message: string) => void = console.error,
  ) {}

  /** Creates the topic if needed and reads it to the end. */
  async load(): Promise<void> {
    await ensureTopics(this.brokers, [{ name: OFFSETS_TOPIC, partitions: 5, config: { 'cleanup.policy': 'compact' } }]);
    await readTopics(this.brokers, [{ topic: OFFSETS_TOPIC }], (record) => {
      if (!record.key) return;
      const parsed = JSON.parse(record.key.toString()) as [string, { partition: string }];
      const [connector, { partition }] = parsed;
      if (record.value === null) this.offsets.get(connector)?.delete(partition);
      else this.connector(connector).set(partition, (JSON.parse(record.value.toString()) as { offset: string }).offset);
    });
  }

  private connector(name: string): Map<string, string> {
    let partitions = this.offsets.get(name);
    if (!partitions) this.offsets.set(name, (partitions = new Map()));
    return partitions;
  }

  get(connector: string, partition: string): string | undefined {
    return this.offsets.get(connector)?.get(partition);
  }

  /** All stored offsets of a connector (for the offsets REST API). */
  entries(connector: string): [partition: string, offset: string][] {
    return [...(this.offsets.get(connector) ?? [])];
  }

  set(connector: string, partition: string, offset: string): void {
    this.connector(connector).set(partition, offset);
    this.dirty.set(recordKey(connector, partition), { connector, partition, offset });
  }

  /** Writes changed offsets every `intervalMs` (Connect's offset.flush.interval.ms). */
  startFlushing(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
  }

  async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    const outcomes = await this.producer.write(
      batch.map((e) => ({ topic: OFFSETS_TOPIC, key: recordKey(e.connector, e.partition), value: JSON.stringify({ offset: e.offset }), headers: {} })),
    );
    outcomes.forEach((outcome, i) => {
      if (outcome.delivered) return;
      const entry = batch[i]!;
      const key = recordKey(entry.connector, entry.partition);
      // Keep a newer value set meanwhile; otherwise try this one again on the next flush.
      if (!this.dirty.has(key)) this.dirty.set(key, entry);
      this.log(`writing source offsets failed, will retry: ${outcome.reason}`);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
