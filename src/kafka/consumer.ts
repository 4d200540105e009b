import { CODES, commonConfig, KafkaJS, type KafkaJSTypes } from './librdkafka.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumedRecord extends TopicPartition {
  offset: number;
  /** Unix milliseconds (absent where the client does not report it). */
  timestamp?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Records of one partition, in offset order. */
export interface PartitionBatch extends TopicPartition {
  records: ConsumedRecord[];
}

export interface BatchConsumerOptions {
  brokers: string;
  groupId: string;
  clientId: string;
  topics: readonly string[];
  maxBatchSize: number;
  /** Partitions whose batches are handled at once (each partition's stay in order). */
  concurrency?: number;
  /** How soon a dead member's partitions move to the others (Kafka Connect uses 10 s). */
  sessionTimeoutMs: number;
  /**
   * Where to start each newly assigned partition. Called on every assignment, before any record
   * of the partition is handed out; partitions missing from the map start at Kafka's committed
   * offset (or the earliest one).
   */
  startPositions(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  onRevoked?(partitions: readonly TopicPartition[]): void;
  /** Throwing makes the consumer seek back and hand the same records again. */
  handleBatch(batch: PartitionBatch): Promise<void>;
  log?: (message: string) => void;
}

const COMMIT_INTERVAL_MS = 1000;

export const partitionKey = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`;

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== null) headers[key] = String(first);
  }
  return headers;
}

/** A consumer-group member that hands out per-partition batches and never auto-commits. */
export class BatchConsumer {
  private readonly consumer: KafkaJSTypes.Consumer;
  private readonly log: (message: string) => void;
  private readonly uncommitted = new Map<string, TopicPartition & { nextOffset: number }>();
  private commitTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: BatchConsumerOptions) {
    const log = (this.log = options.log ?? console.error);
    this.consumer = new KafkaJS.Kafka({}).consumer({
      ...commonConfig(options.brokers, options.clientId),
      'group.id': options.groupId,
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      'isolation.level': 'read_committed',
      'partition.assignment.strategy': 'cooperative-sticky',
      'js.consumer.max.batch.size': options.maxBatchSize,
      // librdkafka prefetches up to 64 MiB by default, and the client caches another 1.5 s of
      // records per worker: a drain of a long backlog held ~600 MiB. A sink only needs the next
      // few batches in hand (bench: same rows/s at 16 MiB). Records cached for long outlive young
      // GCs and fill the old generation with garbage: 500 ms -> 100 ms took a 1M drain's peak RSS
      // from ~570 to ~380 MiB, rows/s within the runs' noise.
      'queued.max.messages.kbytes': 16_384,
      'js.consumer.max.cache.size.per.worker.ms': 100,
      'fetch.min.bytes': 65_536,
      'fetch.wait.max.ms': 10,
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': Math.max(500, Math.floor(options.sessionTimeoutMs / 3)),
      rebalance_cb: async (error: { code: number }, assignment: TopicPartition[]) => {
        if (error.code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
          // The new owner starts from the database's offsets; a late commit here would only
          // move the lag figure backwards.
          this.forget(assignment);
          options.onRevoked?.(assignment);
          return undefined;
        }
        if (error.code !== CODES.ERRORS.ERR__ASSIGN_PARTITIONS || assignment.length === 0) return undefined;
        try {
          const positions = await options.startPositions(assignment);
          return assignment.map((tp) => {
            const offset = positions.get(partitionKey(tp));
            return offset === undefined ? tp : { ...tp, offset };
          });
        } catch (cause) {
          // Without the stored positions the consumer would start at Kafka's committed offset,
          // which is never past the database's: records may be offered again, never skipped.
          log(`could not read start positions: ${(cause as Error).message}`);
          return undefined;
        }
      },
    } as KafkaJSTypes.ConsumerConstructorConfig);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics] });
    void this.consumer.run({
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: async ({ batch, isStale }: KafkaJSTypes.EachBatchPayload) => {
        if (isStale() || batch.messages.length === 0) return;
        await this.options.handleBatch({
          topic: batch.topic,
          partition: batch.partition,
          records: batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            timestamp: Number(m.timestamp),
            key: m.key,
            value: m.value,
            headers: headersOf(m.headers as Record<string, unknown> | undefined),
          })),
        });
      },
    });
  }

  /**
   * Records consumer-group progress in Kafka for lag tools; the sink's own offsets are the truth.
   * At most one commit a second: at small batches a commit per batch was a Kafka request per
   * transaction, for a number only monitoring reads.
   */
  commit(positions: readonly (TopicPartition & { nextOffset: number })[]): void {
    for (const p of positions) this.uncommitted.set(partitionKey(p), p);
    this.commitTimer ??= setTimeout(() => void this.flushCommits(), COMMIT_INTERVAL_MS);
  }

  /** Drops progress not yet committed for partitions this member no longer owns. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.uncommitted.delete(partitionKey(tp));
  }

  private async flushCommits(): Promise<void> {
    this.commitTimer = undefined;
    const positions = [...this.uncommitted.values()];
    this.uncommitted.clear();
    if (positions.length === 0) return;
    try {
      await this.consumer.commitOffsets(
        positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.nextOffset) })),
      );
    } catch (error) {
      this.log(`committing to Kafka failed (lag only): ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.commitTimer);
    await this.flushCommits();
    await this.consumer.disconnect();
  }
}
