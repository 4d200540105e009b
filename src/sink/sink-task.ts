import type { DatabaseSinkConfig } from '../config/index.ts';
import { isTransientDbError, type SinkStore } from '../db/index.ts';
import { BatchConsumer, partitionKey, type PartitionBatch, type TopicPartition } from '../kafka/index.ts';
import { toChanges } from './records.ts';

export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'RETRYING' | 'FAILED' | 'STOPPED';

export interface TaskStatus {
  id: number;
  state: TaskState;
  trace?: string;
}

export interface SinkTaskOptions {
  connector: string;
  taskId: number;
  config: DatabaseSinkConfig;
  store: SinkStore;
  brokers: string;
  workerId: string;
  sessionTimeoutMs: number;
  /** Runs after a batch's transaction commits and before Kafka hears of it (fault injection). */
  afterDbCommit?: () => void;
  onApplied?: (records: number) => void;
  log?: (message: string) => void;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * A sink task: one consumer-group member that applies each partition batch in one database
 * transaction together with the offsets it advances to, and starts every assigned partition at
 * the offset stored there. Kafka's committed offsets are only written afterwards, for lag tools.
 */
export class SinkTask {
  private readonly consumer: BatchConsumer;
  /** Next offset to apply per partition, as the database has it. */
  private readonly positions = new Map<string, number>();
  private state: TaskState = 'UNASSIGNED';
  private trace: string | undefined;
  private stopping = false;
  private readonly log: (message: string) => void;

  constructor(private readonly options: SinkTaskOptions) {
    this.log = options.log ?? console.error;
    this.consumer = new BatchConsumer({
      brokers: options.brokers,
      groupId: `connect-${options.connector}`,
      clientId: `${options.connector}-${options.taskId}-${options.workerId}`,
      topics: options.config.topics,
      maxBatchSize: options.config['batch.size'],
      sessionTimeoutMs: options.sessionTimeoutMs,
      startPositions: (partitions) => this.startPositions(partitions),
      onRevoked: (partitions) => partitions.forEach((tp) => this.positions.delete(partitionKey(tp))),
      handleBatch: (batch) => this.apply(batch),
      log: this.log,
    });
  }

  status(): TaskStatus {
    return { id: this.options.taskId, state: this.state, ...(this.trace ? { trace: this.trace } : {}) };
  }

  async start(): Promise<void> {
    await this.consumer.start();
    this.state = 'RUNNING';
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.stop();
    if (this.state !== 'FAILED') this.state = 'STOPPED';
  }

  private async startPositions(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const stored = await this.options.store.readOffsets(this.options.connector, partitions);
    for (const [key, offset] of stored) this.positions.set(key, offset);
    return stored;
  }

  private async apply(batch: PartitionBatch): Promise<void> {
    if (this.state === 'FAILED' || this.stopping) throw new Error('task is not running');
    const key = partitionKey(batch);
    const next = this.positions.get(key);
    // Records below the stored position are already in the database (a fetch raced the seek).
    const records = next === undefined ? batch.records : batch.records.filter((r) => r.offset >= next);
    if (records.length === 0) return;
    const nextOffset = records[records.length - 1]!.offset + 1;
    const { store, config, connector } = this.options;
    try {
      const changes = toChanges(records, config);
      await this.withRetries(async () => {
        for (const change of changes) {
          // Deletes and truncates alone never create a table: a missing one has nothing to remove.
          if (change.rows.length > 0) await store.prepareTable(change.table, change.keyColumns, change.rows, config['auto.create']);
        }
        await store.commitBatch(connector, changes, [{ topic: batch.topic, partition: batch.partition, nextOffset }]);
      });
    } catch (error) {
      this.fail(error as Error);
      throw error;
    }
    this.positions.set(key, nextOffset);
    this.options.onApplied?.(records.length);
    this.options.afterDbCommit?.();
    this.consumer
      .commit([{ topic: batch.topic, partition: batch.partition, nextOffset }])
      .catch((error: Error) => this.log(`${connector}: committing to Kafka failed (lag only): ${error.message}`));
  }

  /** Retries transient database errors with capped, jittered backoff; anything else fails the task. */
  private async withRetries(work: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        if (this.state === 'RETRYING') this.state = 'RUNNING';
        return;
      } catch (error) {
        if (!isTransientDbError(error) || this.stopping) throw error;
        this.state = 'RETRYING';
        this.trace = (error as Error).message;
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.log(`${this.options.connector}: transient database error, retrying in ${Math.round(delay)} ms: ${this.trace}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private fail(error: Error): void {
    if (this.state === 'FAILED') return;
    this.state = 'FAILED';
    this.trace = error.stack ?? error.message;
    this.log(`${this.options.connector} task ${this.options.taskId} failed: ${error.message}`);
    // Stop consuming: a failed task must not move past the record it could not apply.
    void this.consumer.stop().catch(() => {});
  }
}
