import { randomUUID } from 'node:crypto';
import { commonConfig, newConsumer, type Message, type ConsumerClient } from './librdkafka.ts';
import { newestShare, type Span } from './newest-share.ts';
import { QueueSignal } from './queue-signal.ts';
import { ReadBarrier } from './read-barrier.ts';
import { promised } from './backend.ts';
import { partitionSpan, toReadRecord, whileSettling, type ReadRecord } from './topic-reader.ts';
import type { Log } from '../log/index.ts';

const TIMEOUT_MS = 30_000;
/** See ReadBarrier: more in flight let a pass wait for about one round trip instead of two. */
const BARRIER_QUERIES_IN_FLIGHT = 4;

export interface TopicTailOptions {
  /**
   * Start at the first record written at or after `timestamp` (Unix ms), and at most `maxRecords`
   * before the end over all partitions, the newest of each in proportion; else at the beginning.
   */
  since?: { timestamp: number; maxRecords: number };
  /** How long caughtUp() may take, its end-offsets query included (default 30 s). */
  catchUpTimeoutMs?: number;
  /** Read errors and skipped records. */
  log: Log;
  /**
   * Gives up the start: what is read up to `since`'s end may be hundreds of thousands of records,
   * and a worker told to stop during its start must not wait for them (start then rejects).
   */
  signal?: AbortSignal;
}

interface Waiter {
  key: string;
  offset: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Follows every partition of some topics, outside any consumer group, for as long as it runs: how
 * each worker keeps up with the shared config and status topics, and with what the other workers
 * write to a source's topics. Reads only committed records (read_committed): an aborted
 * transaction's records are never seen.
 */
export class TopicTail {
  private readonly consumer: ConsumerClient;
  private readonly signal = new QueueSignal();
  /** Next offset to read, per topic partition. */
  private readonly positions = new Map<string, number>();
  private partitions: { topic: string; partition: number }[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly barrier = new ReadBarrier(
    () => this.endOffsets(),
    (ends) => this.reach(ends),
    BARRIER_QUERIES_IN_FLIGHT,
  );
  /**
   * End-offsets queries go over a client of their own. On the tail's connection a ListOffsets
   * request waits behind the fetch the broker holds open (up to fetch.wait.max.ms): 14 ms a
   * barrier under load, against 1.7 ms on a connection of its own. Made on first use: the config
   * and status tails never ask.
   */
  private querier: Promise<ConsumerClient> | undefined;
  private running = true;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly brokers: string,
    private readonly topics: readonly string[],
    private readonly onRecord: (record: ReadRecord) => void,
    private readonly log: Log,
    private readonly catchUpTimeoutMs: number,
  ) {
    this.consumer = newConsumer(
      {
        ...commonConfig(brokers, `inlet-tail-${topics[0]}`),
        'group.id': `inlet-tail-${randomUUID()}`,
        'enable.auto.commit': false,
        'isolation.level': 'read_committed',
        'fetch.wait.max.ms': 50,
        queue_non_empty_cb: this.signal.notify,
      },
      log,
      { 'auto.offset.reset': 'earliest' },
    );
  }

  /** Starts following `topics`; resolves once everything written before the call was read. */
  static async start(brokers: string, topics: string | readonly string[], onRecord: (record: ReadRecord) => void, options: TopicTailOptions) {
    const tail = new TopicTail(brokers, typeof topics === 'string' ? [topics] : topics, onRecord, options.log, options.catchUpTimeoutMs ?? TIMEOUT_MS);
    const abandon = () => tail.halt();
    options.signal?.addEventListener('abort', abandon, { once: true });
    try {
      if (options.signal?.aborted) tail.halt();
      await tail.begin(options.since);
    } catch (error) {
      // No one else holds the tail to stop it: its consumer would stay connected for good.
      await tail.stop();
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', abandon);
    }
    return tail;
  }

  private async begin(since: TopicTailOptions['since']): Promise<void> {
    const consumer = this.consumer;
    this.checkRunning();
    await promised((cb) => consumer.connect({ timeout: TIMEOUT_MS }, cb));
    const spans: Span[] = [];
    for (const topic of this.topics) {
      this.checkRunning();
      for (const partition of await this.partitionsOf(topic)) {
        this.checkRunning();
        spans.push(await partitionSpan(consumer, { topic, fromTimestamp: since?.timestamp }, partition, TIMEOUT_MS));
      }
    }
    this.checkRunning();
    // A partition with nothing recent enough starts at its end, to follow what comes next.
    const starts = new Map(spans.map((s) => [partitionKey(s.topic, s.partition), s.end]));
    const recent = spans.filter((s) => s.start < s.end);
    for (const s of since ? newestShare(recent, since.maxRecords) : recent) starts.set(partitionKey(s.topic, s.partition), s.start);
    this.partitions = spans.map(({ topic, partition }) => ({ topic, partition }));
    for (const [key, offset] of starts) this.positions.set(key, offset);
    consumer.setDefaultConsumeTimeout(0);
    consumer.assign(this.partitions.map(({ topic, partition }) => ({ topic, partition, offset: starts.get(partitionKey(topic, partition))! })));
    this.loop = this.run();
    await this.reach(new Map(spans.map((s) => [partitionKey(s.topic, s.partition), s.end])));
  }

  /** Halted while starting (see `halt`): the start ends here. */
  private checkRunning(): void {
    if (!this.running) throw new Error(`the tail of ${this.topics.join(', ')} stopped while starting`);
  }

  /**
   * Ends a start in progress: the read loop stops and what waits for it is rejected, so begin()
   * fails at its next step; start() then stops the tail, which disconnects its consumer (not done
   * here, under a connect or a ListOffsets still in flight).
   */
  private halt(): void {
    this.running = false;
    this.signal.wake();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`the tail of ${this.topics.join(', ')} stopped`));
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    return whileSettling(async () => {
      const metadata = await promised<{ topics: { name: string; partitions: { id: number }[] }[] }>((cb) =>
        this.consumer.getMetadata({ topic, timeout: TIMEOUT_MS }, cb),
      );
      const ids = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
      if (ids.length === 0) throw Object.assign(new Error(`topic ${topic} has no partitions yet`), { code: 3 });
      return ids;
    }, TIMEOUT_MS);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let messages: Message[];
      this.signal.reset();
      try {
        messages = await promised((cb) => this.consumer.consume(500, cb));
      } catch (error) {
        if (this.running) this.log.warn(`reading ${this.topics.join(', ')}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const m of messages) {
        try {
          this.onRecord(toReadRecord(m));
        } catch (error) {
          this.log.warn(`${m.topic}@${m.partition}/${m.offset} skipped: ${(error as Error).message}`);
        }
        this.positions.set(partitionKey(m.topic, m.partition), m.offset + 1);
      }
      if (messages.length === 0) await this.refreshPositions();
      this.wake();
      if (messages.length === 0) await this.signal.wait(100);
    }
  }

  /** Transaction markers and compacted gaps have no message: the consumer's position says where it is. */
  private async refreshPositions(): Promise<void> {
    if (this.waiters.length === 0) return;
    for (const p of this.consumer.position()) {
      const key = partitionKey(p.topic, p.partition);
      if (p.offset !== undefined && p.offset >= 0 && p.offset > (this.positions.get(key) ?? 0)) this.positions.set(key, p.offset);
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if ((this.positions.get(waiter.key) ?? 0) >= waiter.offset) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private waitForKey(key: string, offset: number): Promise<void> {
    if ((this.positions.get(key) ?? 0) >= offset) return Promise.resolve();
    if (!this.running) return Promise.reject(new Error(`the tail of ${this.topics.join(', ')} stopped`));
    return new Promise((resolve, reject) => {
      this.waiters.push({ key, offset, resolve, reject });
      // A transaction marker leaves no record to wake the loop: let it read the position now.
      this.signal.wake();
    });
  }

  /** Whether the tail reads this partition (it follows the partitions its topics had at start). */
  follows(topic: string, partition: number): boolean {
    return this.positions.has(partitionKey(topic, partition));
  }

  /** Resolves once the tail has read past `offset - 1` of the partition: read-your-writes. */
  waitFor(topic: string, partition: number, offset: number): Promise<void> {
    return this.waitForKey(partitionKey(topic, partition), offset);
  }

  private async reach(ends: ReadonlyMap<string, number>): Promise<void> {
    await Promise.all([...ends].map(([key, offset]) => this.waitForKey(key, offset)));
  }

  /**
   * Where each followed partition ends now, as a read_committed reader sees it: the last stable
   * offset, short of any transaction still open (which acknowledged nothing yet). One ListOffsets
   * request per partition leader, for all partitions at once.
   */
  private async endOffsets(): Promise<Map<string, number>> {
    const latest = this.partitions.map(({ topic, partition }) => ({ topic, partition, offset: -1 })); // -1: OFFSET_END
    const querier = await this.endOffsetsClient();
    const ends = await promised<{ topic: string; partition: number; offset: number }[]>((cb) => querier.offsetsForTimes(latest, this.catchUpTimeoutMs, cb));
    return new Map(ends.map((e) => [partitionKey(e.topic, e.partition), e.offset]));
  }

  private endOffsetsClient(): Promise<ConsumerClient> {
    this.querier ??= (async () => {
      const client = newConsumer({
        ...commonConfig(this.brokers, `inlet-tail-ends-${this.topics[0]}`),
        'group.id': `inlet-tail-${randomUUID()}`,
        // ListOffsets then answers the last stable offset, as the tail reads.
        'isolation.level': 'read_committed',
      }, this.log);
      try {
        await promised((cb) => client.connect({ timeout: this.catchUpTimeoutMs }, cb));
        return client;
      } catch (error) {
        // Kafka unreachable: the next barrier tries again rather than failing for good.
        this.querier = undefined;
        await promised((cb) => client.disconnect(cb)).catch(() => {});
        throw error;
      }
    })();
    return this.querier;
  }

  /**
   * Resolves once the tail has read everything committed to its topics before the call, also by
   * other processes (see ReadBarrier); rejects after `catchUpTimeoutMs`.
   */
  async caughtUp(): Promise<void> {
    const timeoutMs = this.catchUpTimeoutMs;
    const passed = this.barrier.pass();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${this.topics.join(', ')} did not catch up within ${timeoutMs} ms`)), timeoutMs);
    });
    // The barrier may still fail after the deadline won: that is no unhandled rejection.
    passed.catch(() => {});
    try {
      await Promise.race([passed, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal.wake();
    await this.loop;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`the tail of ${this.topics.join(', ')} stopped`));
    await promised((cb) => this.consumer.disconnect(cb)).catch(() => {});
    const querier = await this.querier?.catch(() => undefined);
    if (querier) await promised((cb) => querier.disconnect(cb)).catch(() => {});
  }
}
