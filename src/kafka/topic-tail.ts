import { randomUUID } from 'node:crypto';
import { commonConfig, nativeConsumer, type Message, type NativeConsumer } from './librdkafka.ts';
import { QueueSignal } from './queue-signal.ts';
import { promised, toReadRecord, watermarks, whileSettling, type ReadRecord } from './topic-reader.ts';


/**
 * Follows every partition of a topic from its beginning, outside any consumer group, for as long
 * as it runs: how each worker keeps up with the shared config and status topics.
 */
export class TopicTail {
  private readonly consumer: NativeConsumer;
  private readonly signal = new QueueSignal();
  /** Next offset to read, per partition. */
  private readonly positions = new Map<number, number>();
  private readonly waiters: { partition: number; offset: number; resolve: () => void }[] = [];
  private running = true;
  private loop: Promise<void> | undefined;

  private constructor(
    brokers: string,
    private readonly topic: string,
    private readonly onRecord: (record: ReadRecord) => void,
    private readonly log: (message: string) => void,
  ) {
    this.consumer = nativeConsumer(
      {
        ...commonConfig(brokers, `inlet-tail-${topic}`),
        'group.id': `inlet-tail-${randomUUID()}`,
        'enable.auto.commit': false,
        'isolation.level': 'read_committed',
        'fetch.wait.max.ms': 50,
        queue_non_empty_cb: this.signal.notify,
      },
      { 'auto.offset.reset': 'earliest' },
    );
  }

  /** Starts following `topic`; resolves once everything written before the call was read. */
  static async start(brokers: string, topic: string, onRecord: (record: ReadRecord) => void, log: (m: string) => void = console.error) {
    const tail = new TopicTail(brokers, topic, onRecord, log);
    await tail.begin();
    return tail;
  }

  private async begin(): Promise<void> {
    const consumer = this.consumer;
    await promised((cb) => consumer.connect({ timeout: 30_000 }, cb));
    const partitions = await whileSettling(async () => {
      const metadata = await promised<{ topics: { name: string; partitions: { id: number }[] }[] }>((cb) =>
        consumer.getMetadata({ topic: this.topic, timeout: 30_000 }, cb),
      );
      const ids = metadata.topics.find((t) => t.name === this.topic)?.partitions.map((p) => p.id) ?? [];
      if (ids.length === 0) throw Object.assign(new Error(`topic ${this.topic} has no partitions yet`), { code: 3 });
      return ids;
    }, 30_000);
    const ends = new Map<number, number>();
    for (const partition of partitions) {
      const { lowOffset, highOffset } = await watermarks(consumer, this.topic, partition, 30_000);
      this.positions.set(partition, lowOffset);
      ends.set(partition, highOffset);
    }
    consumer.setDefaultConsumeTimeout(0);
    consumer.assign(partitions.map((partition) => ({ topic: this.topic, partition, offset: this.positions.get(partition)! })));
    this.loop = this.run();
    await Promise.all([...ends].map(([partition, end]) => this.waitFor(partition, end)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let messages: Message[];
      this.signal.reset();
      try {
        messages = await promised((cb) => this.consumer.consume(500, cb));
      } catch (error) {
        if (this.running) this.log(`reading ${this.topic}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const m of messages) {
        try {
          this.onRecord(toReadRecord(m));
        } catch (error) {
          this.log(`${this.topic}@${m.partition}/${m.offset} skipped: ${(error as Error).message}`);
        }
        this.positions.set(m.partition, m.offset + 1);
      }
      if (messages.length === 0) await this.refreshPositions();
      this.wake();
      if (messages.length === 0) await this.signal.wait(100);
    }
  }

  /** Transaction markers and compacted gaps have no message: the consumer's position says where it is. */
  private async refreshPositions(): Promise<void> {
    if (this.waiters.length === 0) return;
    const positions = this.consumer.position(undefined) as { topic: string; partition: number; offset: number }[];
    for (const p of positions) if (p.offset >= 0 && p.offset > (this.positions.get(p.partition) ?? 0)) this.positions.set(p.partition, p.offset);
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if ((this.positions.get(waiter.partition) ?? 0) >= waiter.offset) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once the tail has read past `offset - 1` of `partition`: read-your-writes. */
  waitFor(partition: number, offset: number): Promise<void> {
    if ((this.positions.get(partition) ?? 0) >= offset) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ partition, offset, resolve });
      // A transaction marker leaves no record to wake the loop: let it read the position now.
      this.signal.wake();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal.wake();
    await this.loop;
    await promised((cb) => this.consumer.disconnect(cb)).catch(() => {});
  }
}
