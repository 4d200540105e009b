import { FetchPause } from './fetch-pause.ts';
import { LagCommits } from './lag-commits.ts';
import { PartitionLanes, type Lane } from './lanes.ts';
import { CODES, commonConfig, newConsumer, type LibrdKafkaError, type Message, type ConsumerClient } from './librdkafka.ts';
import { toConsumedRecord } from './message-record.ts';
import { QueueSignal } from './queue-signal.ts';
import { RebalanceQueue } from './rebalance-queue.ts';
import { RETRY_PAUSE_MS, rewind, seekBack } from './seek-back.ts';
import type { ConsumedRecord, TopicPartition } from '../records/index.ts';
import { partitionKey } from './topic-partition.ts';
import { promised } from './backend.ts';
import type { Log } from '../log/index.ts';

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
  /** librdkafka `max.poll.interval.ms`: a member that takes no records for this long is dropped. */
  maxPollIntervalMs?: number;
  /**
   * Where to start each newly assigned partition. Called on every assignment, before any record
   * of the partition is handed out; partitions missing from the map start at Kafka's committed
   * offset (or the earliest one).
   */
  startPositions(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  /** Called once the partitions' batches in hand have finished, before they are given up. */
  onRevoked?(partitions: readonly TopicPartition[]): void;
  /** Throwing makes the consumer seek back and hand the same records again (after a pause). */
  handleBatch(batch: PartitionBatch): Promise<void>;
  /** Called on each rebalance that assigns or revokes partitions of this member (for metrics). */
  onRebalance?(): void;
  log: Log;
}

/** The longest the loop sleeps without a signal from librdkafka's queue. */
const POLL_MS = 200;

/**
 * A consumer-group member that hands out per-partition batches and never auto-commits. It uses
 * librdkafka's own consumer API: records wait in librdkafka's bounded prefetch queue, not in a JS
 * cache, and nothing here needs AsyncLocalStorage (the KafkaJS-compatible layer's lock enables
 * promise hooks for the whole process, a tax on every promise of the ingest path too).
 *
 * It composes a lane per partition (lanes.ts), the rebalance queue the loop drains between
 * consume calls (rebalance-queue.ts), pausing full partitions (fetch-pause.ts), seeking back
 * after a failed batch (seek-back.ts) and lag commits (lag-commits.ts).
 */
export class BatchConsumer {
  private readonly consumer: ConsumerClient;
  private readonly log: Log;
  private readonly lags: LagCommits;
  private readonly lanes: PartitionLanes;
  private readonly fetchPause: FetchPause;
  private readonly rebalances = new RebalanceQueue(() => this.running);
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly signal = new QueueSignal();

  constructor(private readonly options: BatchConsumerOptions) {
    this.log = options.log;
    const concurrency = options.concurrency ?? 1;
    this.consumer = newConsumer(
      {
        ...commonConfig(options.brokers, options.clientId),
        'group.id': options.groupId,
        'enable.auto.commit': false,
        'isolation.level': 'read_committed',
        'partition.assignment.strategy': 'cooperative-sticky',
        // librdkafka prefetches up to 64 MiB by default; a sink only needs the next few batches
        // in hand (bench: same rows/s at 16 MiB).
        'queued.max.messages.kbytes': 16_384,
        'fetch.min.bytes': 65_536,
        'fetch.wait.max.ms': 10,
        // A sink may subscribe before its topic exists (a source created later makes it);
        // librdkafka looks for a missing topic again only at this refresh, 5 minutes by default.
        'topic.metadata.refresh.interval.ms': 5000,
        'session.timeout.ms': options.sessionTimeoutMs,
        'heartbeat.interval.ms': Math.max(500, Math.floor(options.sessionTimeoutMs / 3)),
        ...(options.maxPollIntervalMs === undefined ? {} : { 'max.poll.interval.ms': options.maxPollIntervalMs }),
        queue_non_empty_cb: this.signal.notify,
        rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartition[]) => {
          // Cooperative rebalancing calls back with nothing moved while the group settles.
          if (assignment.length > 0) options.onRebalance?.();
          this.rebalances.push(() => this.rebalance(error.code, assignment));
          this.wake();
        },
      },
      options.log,
      { 'auto.offset.reset': 'earliest' },
    );
    this.lags = new LagCommits(this.consumer, this.log);
    this.lanes = new PartitionLanes(options.maxBatchSize, concurrency);
    this.fetchPause = new FetchPause(this.consumer, this.lanes, options.maxBatchSize, concurrency, this.log);
  }

  async start(): Promise<void> {
    await promised((cb) => this.consumer.connect({ timeout: 30_000 }, cb));
    // Take only what is already fetched, and wait on the queue's signal instead (see QueueSignal).
    this.consumer.setDefaultConsumeTimeout(0);
    this.consumer.subscribe([...this.options.topics]);
    this.running = true;
    this.loop = this.run();
  }

  private async rebalance(code: number, assignment: TopicPartition[]): Promise<void> {
    try {
      if (code === CODES.ERRORS.ERR__ASSIGN_PARTITIONS) await this.assign(assignment);
      else if (code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) await this.revoke(assignment);
      else this.log.warn(`rebalance failed: ${code}`);
    } catch (error) {
      // Disconnecting: librdkafka no longer takes (un)assignments.
      if (this.consumer.isConnected()) this.log.warn(`rebalance: ${(error as Error).message}`);
    }
  }

  private async assign(assignment: TopicPartition[]): Promise<void> {
    let positions = new Map<string, number>();
    if (assignment.length > 0) {
      try {
        positions = await this.options.startPositions(assignment);
      } catch (cause) {
        // Without the stored positions the consumer starts at Kafka's committed offset, which
        // is never past the database's: records may be offered again, never skipped.
        this.log.warn(`could not read start positions: ${(cause as Error).message}`);
      }
    }
    this.lanes.add(assignment);
    this.consumer.incrementalAssign(
      assignment.map((tp) => {
        const offset = positions.get(partitionKey(tp));
        return offset === undefined ? { topic: tp.topic, partition: tp.partition } : { topic: tp.topic, partition: tp.partition, offset };
      }),
    );
  }

  /** Lets the partitions' batches in hand finish (their transactions carry their positions), then gives them up. */
  private async revoke(assignment: TopicPartition[]): Promise<void> {
    const lanes = this.lanes.remove(assignment);
    this.fetchPause.release(lanes);
    await Promise.all(lanes.map((lane) => lane.running));
    // The new owner starts from the database's offsets; a late commit here would only move the
    // lag figure backwards.
    this.forget(assignment);
    this.options.onRevoked?.(assignment);
    this.consumer.incrementalUnassign(assignment);
  }

  private wake(): void {
    this.fetchPause.wake();
    this.signal.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.rebalances.runPending();
      await seekBack(this.consumer, this.lanes.all(), this.log);
      if (!(await this.fetchPause.readyToConsume())) continue;
      let messages: Message[];
      this.signal.reset();
      try {
        messages = await promised((cb) => this.consumer.consume(this.options.maxBatchSize, cb));
      } catch (error) {
        if (this.running) this.log.error(`consuming failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      for (const m of messages) this.lanes.offer(m);
      this.dispatch();
      if (messages.length === 0 && !this.rebalances.waiting) await this.signal.wait(POLL_MS);
    }
  }

  private dispatch(): void {
    if (!this.running) return;
    this.lanes.startBatches(
      (lane, messages) => this.handle(lane, messages.map(toConsumedRecord)),
      () => {
        this.dispatch();
        this.wake();
      },
    );
  }

  private async handle(lane: Lane, records: ConsumedRecord[]): Promise<void> {
    try {
      await this.options.handleBatch({ topic: lane.topic, partition: lane.partition, records });
    } catch {
      if (!this.lanes.owns(lane) || !this.running) return;
      rewind(lane, records[0]!.offset);
      setTimeout(() => this.dispatch(), RETRY_PAUSE_MS).unref();
    }
  }

  /** Each partition's log end offset (high watermark), asked of its leader; low is where the log starts. */
  async watermarks(partitions: readonly TopicPartition[], timeoutMs: number): Promise<{ tp: TopicPartition; low: number; high: number }[]> {
    return Promise.all(
      partitions.map(async (tp) => {
        const { lowOffset, highOffset } = await promised<{ lowOffset: number; highOffset: number }>((cb) =>
          this.consumer.queryWatermarkOffsets(tp.topic, tp.partition, timeoutMs, cb),
        );
        return { tp, low: lowOffset, high: highOffset };
      }),
    );
  }

  /** Records consumer-group progress in Kafka for lag tools (see LagCommits). */
  commit(positions: readonly (TopicPartition & { nextOffset: number })[]): void {
    this.lags.add(positions);
  }

  /** Drops progress not yet committed for partitions this member no longer owns. */
  forget(partitions: readonly TopicPartition[]): void {
    this.lags.forget(partitions);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    await this.lanes.settled();
    this.lags.stop();
    this.rebalances.release();
    try {
      this.consumer.unsubscribe();
    } catch {
      // Already out of the group.
    }
    await promised((cb) => this.consumer.disconnect(cb)).catch(() => {});
    await this.rebalances.settled();
  }
}
