import type { ConsumerClient } from './librdkafka.ts';
import type { TopicPartition } from '../records/index.ts';
import { partitionKey } from './topic-partition.ts';
import type { Log } from '../log/index.ts';

const COMMIT_INTERVAL_MS = 1000;

/**
 * Records consumer-group progress in Kafka for lag tools; the sink's own offsets are the truth.
 * At most one commit a second: at small batches a commit per batch was a Kafka request per
 * transaction, for a number only monitoring reads.
 */
export class LagCommits {
  private readonly uncommitted = new Map<string, TopicPartition & { nextOffset: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly consumer: Pick<ConsumerClient, 'commit' | 'commitSync'>,
    private readonly log: Log,
  ) {}

  add(positions: readonly (TopicPartition & { nextOffset: number })[]): void {
    for (const p of positions) this.uncommitted.set(partitionKey(p), p);
    this.timer ??= setTimeout(() => this.flush(), COMMIT_INTERVAL_MS);
  }

  /** Drops progress not yet committed for partitions this member no longer owns. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.uncommitted.delete(partitionKey(tp));
  }

  /** Commits what is left, synchronously: the asynchronous commit goes out on librdkafka's thread, and on stop it must land first. */
  stop(): void {
    clearTimeout(this.timer);
    this.flush(true);
  }

  private flush(sync = false): void {
    this.timer = undefined;
    const positions = [...this.uncommitted.values()];
    this.uncommitted.clear();
    if (positions.length === 0) return;
    const offsets = positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.nextOffset }));
    try {
      if (sync) this.consumer.commitSync(offsets);
      else this.consumer.commit(offsets);
    } catch (error) {
      this.log.warn(`committing to Kafka failed (lag only): ${(error as Error).message}`);
    }
  }
}
