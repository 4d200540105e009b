import { QueueSignal } from './queue-signal.ts';
import { toConsumedRecord } from './message-record.ts';
import { promised } from './topic-reader.ts';
import { CODES, commonConfig, nativeConsumer, type LibrdKafkaError, type Message, type NativeConsumer } from './librdkafka.ts';

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
  log?: (message: string) => void;
}

const COMMIT_INTERVAL_MS = 1000;
/** The longest the loop sleeps without a signal from librdkafka's queue. */
const POLL_MS = 200;
/** A partition whose batch failed waits this long before its records are offered again. */
const RETRY_PAUSE_MS = 1000;
/**
 * How long the buffer may stay full before the full partitions are paused. Under load the buffer
 * fills and drains within milliseconds, and a pause would throw away librdkafka's prefetch; a
 * buffer full this long means a batch is stuck (a database retrying), and the loop must go on
 * calling consume() or librdkafka drops the member after `max.poll.interval.ms`.
 */
const STALL_MS = 1000;

export const partitionKey = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`;

/** One assigned partition: the records fetched for it and the batch being handled, if any. */
interface Lane extends TopicPartition {
  queue: Message[];
  running: Promise<void> | undefined;
  /** Set when a batch failed: records are dropped until the loop has sought back to this offset. */
  seekTo: number | undefined;
  pausedUntil: number;
  /** Fetching paused (librdkafka's pause) because the queue stayed full. */
  fetchPaused: boolean;
}

/**
 * A consumer-group member that hands out per-partition batches and never auto-commits. It uses
 * librdkafka's own consumer API: records wait in librdkafka's bounded prefetch queue, not in a JS
 * cache, and nothing here needs AsyncLocalStorage (the KafkaJS-compatible layer's lock enables
 * promise hooks for the whole process, a tax on every promise of the ingest path too).
 */
export class BatchConsumer {
  private readonly consumer: NativeConsumer;
  private readonly log: (message: string) => void;
  private readonly uncommitted = new Map<string, TopicPartition & { nextOffset: number }>();
  private commitTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly lanes = new Map<string, Lane>();
  /**
   * Rebalance events wait here for the loop, which runs them between consume calls: no record
   * fetched under an older assignment or position can then reach a lane.
   */
  private readonly pending: (() => Promise<void>)[] = [];
  private afterStop: Promise<void> = Promise.resolve();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private readonly concurrency: number;
  private readonly signal = new QueueSignal();

  constructor(private readonly options: BatchConsumerOptions) {
    this.log = options.log ?? console.error;
    this.concurrency = options.concurrency ?? 1;
    this.consumer = nativeConsumer(
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
          const op = () => this.rebalance(error.code, assignment);
          // Once the loop has ended (stop() leaving the group), events run as they come.
          if (this.running) this.pending.push(op);
          else this.afterStop = this.afterStop.then(op);
          this.wake();
        },
      },
      { 'auto.offset.reset': 'earliest' },
    );
  }

  async start(): Promise<void> {
    // Errors the client recovers from by itself are only logged (a poll interval exceeded is one).
    this.consumer.on('event.error', (error: LibrdKafkaError) => this.log(`consumer: ${error.message}`));
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
      else this.log(`rebalance failed: ${code}`);
    } catch (error) {
      // Disconnecting: librdkafka no longer takes (un)assignments.
      if (this.consumer.isConnected()) this.log(`rebalance: ${(error as Error).message}`);
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
        this.log(`could not read start positions: ${(cause as Error).message}`);
      }
    }
    for (const tp of assignment) {
      this.lanes.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition, queue: [], running: undefined, seekTo: undefined, pausedUntil: 0, fetchPaused: false });
    }
    this.consumer.incrementalAssign(
      assignment.map((tp) => {
        const offset = positions.get(partitionKey(tp));
        return offset === undefined ? { topic: tp.topic, partition: tp.partition } : { topic: tp.topic, partition: tp.partition, offset };
      }),
    );
  }

  /** Lets the partitions' batches in hand finish (their transactions carry their positions), then gives them up. */
  private async revoke(assignment: TopicPartition[]): Promise<void> {
    const lanes = assignment.map((tp) => this.lanes.get(partitionKey(tp))).filter((lane) => lane !== undefined);
    for (const lane of lanes) {
      lane.queue = [];
      this.lanes.delete(partitionKey(lane));
    }
    // A partition handed back paused would stay paused for its next owner in this process.
    this.setFetching(lanes.filter((lane) => lane.fetchPaused), true);
    await Promise.all(lanes.map((lane) => lane.running));
    // The new owner starts from the database's offsets; a late commit here would only move the
    // lag figure backwards.
    this.forget(assignment);
    this.options.onRevoked?.(assignment);
    this.consumer.incrementalUnassign(assignment);
  }

  private wake(): void {
    this.wakeLoop?.();
    this.wakeLoop = undefined;
    this.signal.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      for (let op = this.pending.shift(); op; op = this.pending.shift()) await op();
      for (const lane of this.lanes.values()) if (lane.seekTo !== undefined) await this.seekBack(lane, lane.seekTo);
      this.setFetching([...this.lanes.values()].filter((lane) => lane.fetchPaused && lane.queue.length < this.options.maxBatchSize), true);
      if (this.bufferFull()) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const woken = await new Promise<boolean>((resolve) => {
          this.wakeLoop = () => resolve(true);
          timer = setTimeout(() => resolve(false), STALL_MS);
        });
        clearTimeout(timer);
        if (woken) continue;
        this.wakeLoop = undefined;
        this.setFetching([...this.lanes.values()].filter((lane) => !lane.fetchPaused && lane.queue.length >= this.options.maxBatchSize), false);
        if (this.bufferFull()) continue;
      }
      let messages: Message[];
      this.signal.reset();
      try {
        messages = await promised((cb) => this.consumer.consume(this.options.maxBatchSize, cb));
      } catch (error) {
        if (this.running) this.log(`consuming failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      for (const m of messages) {
        const lane = this.lanes.get(partitionKey(m));
        if (lane && lane.seekTo === undefined) lane.queue.push(m);
      }
      this.dispatch();
      if (messages.length === 0 && this.pending.length === 0) await this.signal.wait(POLL_MS);
    }
  }

  /** Whether lanes that still fetch hold a batch for each running one and one more; a paused lane's records cannot grow. */
  private bufferFull(): boolean {
    let n = 0;
    for (const lane of this.lanes.values()) if (!lane.fetchPaused) n += lane.queue.length;
    return n >= this.options.maxBatchSize * (this.concurrency + 1);
  }

  /**
   * Pauses or resumes fetching for lanes, between consume calls. A paused partition's records
   * already fetched are dropped by librdkafka, and fetching resumes after the last record handed
   * out, so nothing is skipped.
   */
  private setFetching(lanes: Lane[], fetching: boolean): void {
    if (lanes.length === 0) return;
    const partitions = lanes.map((lane) => ({ topic: lane.topic, partition: lane.partition }));
    try {
      if (fetching) this.consumer.resume(partitions);
      else this.consumer.pause(partitions);
      for (const lane of lanes) lane.fetchPaused = !fetching;
    } catch (error) {
      this.log(`${fetching ? 'resuming' : 'pausing'} ${partitions.map(partitionKey).join(', ')} failed: ${(error as Error).message}`);
    }
  }

  /** Starts a batch on each idle lane with records, up to `concurrency` at once. */
  private dispatch(): void {
    let busy = 0;
    for (const lane of this.lanes.values()) if (lane.running) busy++;
    const now = Date.now();
    for (const lane of this.lanes.values()) {
      if (busy >= this.concurrency || !this.running) return;
      if (lane.running || lane.queue.length === 0 || lane.pausedUntil > now) continue;
      const taken = lane.queue.splice(0, this.options.maxBatchSize);
      busy++;
      lane.running = this.handle(lane, taken.map(toConsumedRecord)).finally(() => {
        lane.running = undefined;
        this.dispatch();
        this.wake();
      });
    }
  }

  private async handle(lane: Lane, records: ConsumedRecord[]): Promise<void> {
    try {
      await this.options.handleBatch({ topic: lane.topic, partition: lane.partition, records });
    } catch {
      if (this.lanes.get(partitionKey(lane)) !== lane || !this.running) return;
      // Offer the batch again: drop what was fetched past it, including what a consume call
      // already under way returns, until the loop has sought back to its first record.
      lane.queue = [];
      lane.seekTo = records[0]!.offset;
      lane.pausedUntil = Date.now() + RETRY_PAUSE_MS;
      setTimeout(() => this.dispatch(), RETRY_PAUSE_MS).unref();
    }
  }

  /** Runs between consume calls: librdkafka drops what it fetched before the seek. */
  private async seekBack(lane: Lane, offset: number): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) =>
        this.consumer.seek({ topic: lane.topic, partition: lane.partition, offset }, 5000, (error) => (error ? reject(error) : resolve())),
      );
      lane.seekTo = undefined;
    } catch (error) {
      this.log(`seeking ${partitionKey(lane)} back to ${offset} failed, trying again: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * Records consumer-group progress in Kafka for lag tools; the sink's own offsets are the truth.
   * At most one commit a second: at small batches a commit per batch was a Kafka request per
   * transaction, for a number only monitoring reads.
   */
  commit(positions: readonly (TopicPartition & { nextOffset: number })[]): void {
    for (const p of positions) this.uncommitted.set(partitionKey(p), p);
    this.commitTimer ??= setTimeout(() => this.flushCommits(), COMMIT_INTERVAL_MS);
  }

  /** Drops progress not yet committed for partitions this member no longer owns. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.uncommitted.delete(partitionKey(tp));
  }

  private flushCommits(sync = false): void {
    this.commitTimer = undefined;
    const positions = [...this.uncommitted.values()];
    this.uncommitted.clear();
    if (positions.length === 0) return;
    const offsets = positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.nextOffset }));
    try {
      // The asynchronous commit goes out on librdkafka's thread; on stop it must land first.
      if (sync) this.consumer.commitSync(offsets);
      else this.consumer.commit(offsets);
    } catch (error) {
      this.log(`committing to Kafka failed (lag only): ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all([...this.lanes.values()].map((lane) => lane.running));
    clearTimeout(this.commitTimer);
    this.flushCommits(true);
    for (const op of this.pending.splice(0)) this.afterStop = this.afterStop.then(op);
    try {
      this.consumer.unsubscribe();
    } catch {
      // Already out of the group.
    }
    await promised((cb) => this.consumer.disconnect(cb)).catch(() => {});
    await this.afterStop;
  }
}
