import type { DatabaseSinkConfig } from '../config/index.ts';
import type { SinkStore, StoredPosition, TableChanges } from '../db/index.ts';
import { rootCause } from '../errors/index.ts';
import { BatchConsumer, ensureTopics, partitionKey, type PartitionBatch } from '../kafka/index.ts';
import { NO_SINK_METER, type SinkMeter } from '../metrics/index.ts';
import { ErrantRecordError, type ConsumedRecord, type RecordProducer, type TopicPartition, type Transformation } from '../records/index.ts';
import { applyChangesOnce, errantRecord, planBatch, RetryWithToleranceOperator, sinkReporters, toChanges, toleranceSettings, type Converted } from '../sink/index.ts';
import type { Log } from '../log/index.ts';
import { SpanKind, SpanStatusCode, type Span, type SpanContext } from '@opentelemetry/api';
import { distinctTraceContexts, parentContext, traceFields, tracer } from '../trace/index.ts';
import { AppliedLog } from './applied-log.ts';

/** Transactions in flight per task; the Postgres pool holds one more connection for the rest. */
const PARTITIONS_AT_ONCE = 3;
/** Trace ids a batch's debug line names when its records came from several pushes; the count says how many more. */
const MAX_LINKED_TRACE_IDS = 10;

export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'RETRYING' | 'FAILED';

/** Records of one partition not yet applied to the database. */
export interface PartitionLag {
  topic: string;
  partition: number;
  records: number;
}

export interface TaskStatus {
  id: number;
  state: TaskState;
  trace?: string;
}

export interface WorkerSinkTaskOptions {
  connector: string;
  taskId: number;
  config: DatabaseSinkConfig;
  store: SinkStore;
  brokers: string;
  workerId: string;
  sessionTimeoutMs: number;
  maxPollIntervalMs?: number;
  /** Writes dead-lettered records (the worker's producer); needed with a DLQ topic. */
  writer?: RecordProducer;
  transforms?: Transformation;
  /** Runs after a batch's transaction commits and before Kafka hears of it (fault injection). */
  afterDbCommit?: () => void;
  meter?: SinkMeter;
  /** The connector's logger; the task's lines add `task`. */
  log: Log;
}

/**
 * A sink task, as Kafka Connect's WorkerSinkTask: the runtime's side of a sink, which owns the
 * consumer so that src/sink never touches Kafka. One consumer-group member that applies each
 * partition batch in one database transaction together with the offsets it advances to, and
 * starts every assigned partition at the offset stored there. Kafka's committed offsets are only
 * written afterwards, for lag tools.
 * Its RetryWithToleranceOperator decides what a failure means: transient database errors are
 * retried; a record that can never be applied fails the task (errors.tolerance=none) or goes to
 * the log and the dead-letter topic (all) while the rest flows on.
 */
export class WorkerSinkTask {
  private readonly consumer: BatchConsumer;
  /** Next offset to apply per partition, as the database has it. */
  private readonly positions = new Map<string, number>();
  private state: TaskState = 'UNASSIGNED';
  private trace: string | undefined;
  private stopping = false;
  private readonly log: Log;
  private readonly errors: RetryWithToleranceOperator;
  private readonly meter: SinkMeter;
  /** Partitions assigned to this task, for the lag figure. */
  private readonly assigned = new Map<string, TopicPartition>();
  private readonly applied: AppliedLog;

  constructor(private readonly options: WorkerSinkTaskOptions) {
    this.log = options.log.child({ task: options.taskId });
    const { config, connector, taskId: task, writer } = options;
    this.applied = new AppliedLog(this.log, connector);
    const meter = (this.meter = options.meter ?? NO_SINK_METER);
    const reporters = sinkReporters(config, { connector, task, writer, log: this.log });
    // Last in line: it hears of the errant records once the dead-letter topic holds them.
    if (config['errors.deadletterqueue.topic.name'] && writer) reporters.push({ report: async (errant) => meter.deadLettered(errant.length) });
    this.errors = new RetryWithToleranceOperator(toleranceSettings(config), reporters, {
      stopped: () => this.stopping,
      onRetry: (error, delay) => {
        meter.retried();
        this.state = 'RETRYING';
        const cause = rootCause(error);
        this.trace = cause.message;
        this.log.warn(`${connector}: transient database error, retrying in ${Math.round(delay)} ms: ${cause.message}`);
      },
    });
    this.consumer = new BatchConsumer({
      brokers: options.brokers,
      groupId: `connect-${options.connector}`,
      clientId: `${options.connector}-${options.taskId}-${options.workerId}`,
      topics: options.config.topics,
      maxBatchSize: options.config['batch.size'],
      // Partitions are independent: while one batch waits on the database, the next is planned
      // and another transaction runs (bench: the worker sat idle 55% of a drain one at a time).
      concurrency: PARTITIONS_AT_ONCE,
      sessionTimeoutMs: options.sessionTimeoutMs,
      maxPollIntervalMs: options.maxPollIntervalMs,
      startPositions: (partitions) => this.startPositions(partitions),
      onRevoked: (partitions) =>
        partitions.forEach((tp) => {
          this.positions.delete(partitionKey(tp));
          this.assigned.delete(partitionKey(tp));
        }),
      handleBatch: (batch) => this.apply(batch),
      onRebalance: () => meter.rebalanced(),
      log: this.log,
    });
  }

  status(): TaskStatus {
    return { id: this.options.taskId, state: this.state, ...(this.trace ? { trace: this.trace } : {}) };
  }

  async start(): Promise<void> {
    const dlqTopic = this.options.config['errors.deadletterqueue.topic.name'];
    if (dlqTopic) await ensureTopics(this.options.brokers, [{ name: dlqTopic, partitions: 1 }], this.options.log);
    await this.consumer.start();
    this.state = 'RUNNING';
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.stop();
    this.applied.close();
    if (this.state !== 'FAILED') this.state = 'STOPPED';
  }

  /**
   * Records behind per assigned partition: the log end minus the position stored in the database
   * (where nothing is stored yet, minus the log's start).
   */
  async lag(timeoutMs: number): Promise<PartitionLag[]> {
    const ends = await this.consumer.watermarks([...this.assigned.values()], timeoutMs);
    return ends.map(({ tp, low, high }) => {
      const stored = this.positions.get(partitionKey(tp)) ?? low;
      return { topic: tp.topic, partition: tp.partition, records: Math.max(0, high - stored) };
    });
  }

  private async startPositions(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    for (const tp of partitions) this.assigned.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
    const stored = await this.options.store.readOffsets(this.options.connector, partitions);
    for (const [key, offset] of stored) this.positions.set(key, offset);
    return stored;
  }

  private async apply(batch: PartitionBatch): Promise<void> {
    if (this.state === 'FAILED' || this.stopping) throw new Error('task is not running');
    const key = partitionKey(batch);
    const next = this.positions.get(key);
    // Records below the stored position are already in the database (a fetch raced the seek).
    const consumed = next === undefined ? batch.records : batch.records.filter((r) => r.offset >= next);
    if (consumed.length === 0) return;
    const end: StoredPosition = { topic: batch.topic, partition: batch.partition, nextOffset: consumed[consumed.length - 1]!.offset + 1 };
    const { config } = this.options;
    const contexts = distinctTraceContexts(consumed.map((record) => record.headers));
    const span = this.batchSpan(batch, consumed, contexts);
    // The batch's lines carry its span's trace_id and span_id (a push's own, when the batch holds one
    // push's records); from several pushes, the span is a root of its own and the lines name the
    // traces it links.
    const fields = { ...traceFields(span.spanContext()), ...linkedTraceFields(contexts) };
    const log = Object.keys(fields).length > 0 ? this.log.child(fields) : this.log;
    const started = performance.now();
    try {
      const plan = planBatch(consumed, config, this.options.store, this.options.transforms);
      await this.errors.tolerate(plan.errant);
      let applied = plan.records.length;
      try {
        await this.commit(plan.changes, end);
      } catch (error) {
        if (!this.errors.mayBeRecordFault(error)) throw error;
        // Something in the batch cannot be applied: find it by applying one record at a time.
        applied = await this.applyOneByOne(plan.records, end);
      }
      this.meter.applied(applied, (performance.now() - started) / 1000);
      span.setAttributes({ 'inlet.records.applied': applied, 'inlet.records.errant': consumed.length - applied });
      log.debug({ topic: batch.topic, partition: batch.partition, offset: consumed[0]!.offset, next_offset: end.nextOffset, applied }, `${this.options.connector}: applied ${applied} of ${consumed.length} records`);
      this.applied.add(applied, contexts.map((context) => context.traceId));
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      this.fail(error as Error, log);
      throw error;
    }
    this.positions.set(key, end.nextOffset);
    this.options.afterDbCommit?.();
    this.consumer.commit([end]);
    span.end();
  }

  /**
   * A span from a batch's arrival to its commit. Its records came from many pushes, and a span has
   * one parent: so it links to each distinct context its records carry (OpenTelemetry's messaging
   * conventions for a batch). When they all carry one, the span is also its child, and the push's
   * trace shows its rows landing. Without an SDK the span records nothing; with one context it
   * still carries it, for the log lines.
   */
  private batchSpan(batch: PartitionBatch, consumed: readonly ConsumedRecord[], contexts: readonly SpanContext[]): Span {
    return tracer.startSpan(
      `apply ${batch.topic}`,
      {
        kind: SpanKind.CONSUMER,
        links: contexts.map((context) => ({ context })),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': batch.topic,
          'messaging.destination.partition.id': String(batch.partition),
          'messaging.consumer.group.name': `connect-${this.options.connector}`,
          'messaging.batch.message_count': consumed.length,
          'inlet.connector': this.options.connector,
          'inlet.task': this.options.taskId,
        },
      },
      parentContext(contexts.length === 1 ? contexts[0] : undefined),
    );
  }

  /** One transaction: the changes, then the position they advance to; transient errors retried. */
  private async commit(changes: readonly TableChanges[], position: StoredPosition): Promise<void> {
    const { store, config, connector } = this.options;
    await applyChangesOnce(store, config, connector, changes, position, (attempt) => this.errors.execute(attempt));
    if (this.state === 'RETRYING') {
      this.state = 'RUNNING';
      this.trace = undefined;
    }
  }

  /** Returns how many of `records` were applied (the others were errant). */
  private async applyOneByOne(records: readonly Converted[], end: StoredPosition): Promise<number> {
    let applied = 0;
    for (const { consumed, record } of records) {
      const position = { ...end, nextOffset: consumed.offset + 1 };
      try {
        const alone = toChanges([record], this.options.config, this.options.store);
        // Planned once with its batch, a record plans alone too; were it refused, it is one that cannot be applied.
        if (alone.errant[0]) throw new ErrantRecordError(record, alone.errant[0].reason);
        await this.commit(alone.changes, position);
        applied++;
      } catch (error) {
        if (!this.errors.mayBeRecordFault(error)) throw error;
        const reason = `cannot be applied: ${rootCause(error).message}`;
        await this.errors.tolerate([errantRecord(consumed, 'TASK_PUT', 'database-sink', new ErrantRecordError(consumed, reason, { cause: error }))]);
        await this.commit([], position);
      }
    }
    await this.commit([], end);
    return applied;
  }

  private fail(failure: Error, log: Log = this.log): void {
    if (this.state === 'FAILED') return;
    // An errant record's error names where it is and why; any other, its driver's own words
    // (Drizzle's wrapper quotes the statement and every bound value).
    const error = failure instanceof ErrantRecordError ? failure : rootCause(failure);
    this.state = 'FAILED';
    this.trace = error.stack ?? error.message;
    log.error({ err: error }, `${this.options.connector} task ${this.options.taskId} failed: ${error.message}`);
    // Stop consuming: a failed task must not move past the record it could not apply.
    void this.consumer.stop().catch(() => {});
  }
}

/** A batch line's `linked_trace_ids` (the first few) and `linked_traces` (all), when its records came from several pushes. */
function linkedTraceFields(contexts: readonly SpanContext[]): { linked_trace_ids: string[]; linked_traces: number } | undefined {
  if (contexts.length < 2) return undefined;
  return { linked_trace_ids: [...new Set(contexts.map((context) => context.traceId))].slice(0, MAX_LINKED_TRACE_IDS), linked_traces: contexts.length };
}
