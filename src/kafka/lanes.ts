import type { Message } from './librdkafka.ts';
import type { TopicPartition } from '../records/index.ts';
import { partitionKey } from './topic-partition.ts';

/** One assigned partition: the records fetched for it and the batch being handled, if any. */
export interface Lane extends TopicPartition {
  queue: Message[];
  running: Promise<void> | undefined;
  /** Set when a batch failed: records are dropped until the loop has sought back to this offset. */
  seekTo: number | undefined;
  pausedUntil: number;
  /** Fetching paused (librdkafka's pause) because the queue stayed full. */
  fetchPaused: boolean;
}

/**
 * The lanes of the partitions a consumer owns. Each partition's batches run one after another, in
 * offset order; up to `concurrency` partitions run a batch at once.
 */
export class PartitionLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly maxBatchSize: number,
    private readonly concurrency: number,
  ) {}

  add(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      this.lanes.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition, queue: [], running: undefined, seekTo: undefined, pausedUntil: 0, fetchPaused: false });
    }
  }

  /** Takes the partitions' lanes away, dropping the records they hold; their batches in hand go on. */
  remove(partitions: readonly TopicPartition[]): Lane[] {
    const removed = partitions.map((tp) => this.lanes.get(partitionKey(tp))).filter((lane) => lane !== undefined);
    for (const lane of removed) {
      lane.queue = [];
      this.lanes.delete(partitionKey(lane));
    }
    return removed;
  }

  /** Whether `lane` is still the lane of its partition (not revoked, nor assigned again since). */
  owns(lane: Lane): boolean {
    return this.lanes.get(partitionKey(lane)) === lane;
  }

  all(): IterableIterator<Lane> {
    return this.lanes.values();
  }

  /** Queues a fetched record on its lane; dropped when the partition is gone or seeking back. */
  offer(message: Message): void {
    const lane = this.lanes.get(partitionKey(message));
    if (lane && lane.seekTo === undefined) lane.queue.push(message);
  }

  /**
   * Starts a batch on each idle lane with records, up to `concurrency` at once. `done` runs after
   * each batch, once its lane is idle again.
   */
  startBatches(handle: (lane: Lane, messages: Message[]) => Promise<void>, done: () => void): void {
    let busy = 0;
    for (const lane of this.lanes.values()) if (lane.running) busy++;
    const now = Date.now();
    for (const lane of this.lanes.values()) {
      if (busy >= this.concurrency) return;
      if (lane.running || lane.queue.length === 0 || lane.pausedUntil > now) continue;
      const taken = lane.queue.splice(0, this.maxBatchSize);
      busy++;
      lane.running = handle(lane, taken).finally(() => {
        lane.running = undefined;
        done();
      });
    }
  }

  /** Resolves once every batch in hand has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.running));
  }
}
