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

  constructor(private readonly options: BatchConsumerOptions) {
    const log = options.log ?? console.error;
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
      // few batches in hand (bench: same rows/s at 16 MiB).
      'queued.max.messages.kbytes': 16_384,
      'js.consumer.max.cache.size.per.worker.ms': 500,
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': Math.max(500, Math.floor(options.sessionTimeoutMs / 3)),
      rebalance_cb: async (error: { code: number }, assignment: TopicPartition[]) => {
        if (error.code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
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

  /** Records consumer-group progress in Kafka (for lag tools); the sink's own offsets are the truth. */
  async commit(positions: readonly (TopicPartition & { nextOffset: number })[]): Promise<void> {
    await this.consumer.commitOffsets(
      positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.nextOffset) })),
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
