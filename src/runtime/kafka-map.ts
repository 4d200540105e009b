import type * as v from 'valibot';
import { ensureTopics, TopicTail, type KafkaProducer } from '../kafka/index.ts';
import { readStoredRecord } from './stored-records.ts';
import type { Log } from '../log/index.ts';

export type MapListener<V> = (key: string, value: V | undefined, live: boolean) => void;

export interface KafkaMapOptions<V> {
  brokers: string;
  topic: string;
  partitions: number;
  writer: KafkaProducer;
  /** What a value must be; a record that is not is logged and skipped. */
  schema: v.GenericSchema<unknown, V>;
  log: Log;
  /** Sees every record in log order, from the first replayed one on (onChange sees only later ones). */
  listener?: MapListener<V>;
}

/**
 * A map every worker shares through a compacted topic: each worker follows the topic, so all
 * converge on the latest value per key; `set` returns once this worker has read its own write.
 * Kafka orders the writes; there is no other coordination.
 */
export class KafkaMap<V> {
  private readonly values = new Map<string, V>();
  private readonly listeners: MapListener<V>[] = [];
  private live = false;
  private tail!: TopicTail;

  private constructor(private readonly options: KafkaMapOptions<V>) {
    if (options.listener) this.listeners.push(options.listener);
  }

  static async open<V>(options: KafkaMapOptions<V>): Promise<KafkaMap<V>> {
    const map = new KafkaMap(options);
    await ensureTopics(options.brokers, [{ name: options.topic, partitions: options.partitions, config: { 'cleanup.policy': 'compact' } }], options.log);
    map.tail = await TopicTail.start(
      options.brokers,
      options.topic,
      (record) => {
        const read = readStoredRecord(options.topic, options.schema, record, options.log);
        if (!read) return;
        const { key, value } = read;
        if (value === undefined) map.values.delete(key);
        else map.values.set(key, value);
        for (const listener of map.listeners) listener(key, value, map.live);
      },
      { log: options.log },
    );
    map.live = true;
    return map;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  entries(): [string, V][] {
    return [...this.values];
  }

  /** `live` is false for the records replayed while opening. */
  onChange(listener: MapListener<V>): void {
    this.listeners.push(listener);
  }

  set(key: string, value: V | null): Promise<void> {
    return this.setMany([[key, value]]);
  }

  /** Writes several keys at once; resolves when all are read back, rejects naming a failed key. */
  async setMany(entries: readonly (readonly [string, V | null])[]): Promise<void> {
    const outcomes = await this.options.writer.write(
      entries.map(([key, value]) => ({ topic: this.options.topic, key, value: value === null ? null : JSON.stringify(value), headers: {} })),
    );
    const failed = outcomes.findIndex((o) => !o.delivered);
    if (failed >= 0) {
      const outcome = outcomes[failed]!;
      throw new Error(`writing ${entries[failed]![0]} to ${this.options.topic} failed: ${outcome.delivered ? '' : outcome.reason}`);
    }
    await Promise.all(
      outcomes.map((o) => (o.delivered && o.partition !== undefined && o.offset !== undefined ? this.tail.waitFor(this.options.topic, o.partition, o.offset + 1) : undefined)),
    );
  }

  async close(): Promise<void> {
    await this.tail.stop();
  }
}
