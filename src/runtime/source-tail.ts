import { TopicTail } from '../kafka/index.ts';
import { SOURCE_HEADERS, type SourceConnector, type SourceRecordSender, type WrittenRecord } from '../source/index.ts';
import type { Log } from '../log/index.ts';

export interface SourceTailOptions {
  brokers: string;
  source: SourceConnector;
  writer: SourceRecordSender;
  /** How long a push may wait for the tail to catch up before it is answered 503. */
  timeoutMs: number;
  /** The worker's logger; the tail's lines add `connector`. */
  log: Log;
  /** Gives up the restore (the worker is stopping); start() then rejects. */
  signal?: AbortSignal;
}

/**
 * Shares a source's dedupe window across the workers of a cluster by following the source's own
 * topics: every record carries its source partition and offset in headers, so the window learns
 * what any worker wrote without anything written twice (no claims topic, no extra round trip
 * before a 2xx). The price is that each worker reads all of the source's records; the tail keeps
 * only their headers.
 *
 * The same read rebuilds the window at start (the records of the last `dedupe.window.ms`, at most
 * `dedupe.max.entries` of them), so what a restarted worker restores and what it learns while
 * running are one thing. Only committed records are read: a record whose delivery failed and is
 * not in the log, or that an aborted transaction wrote, is never taken as written. A record whose
 * delivery report failed but that Kafka kept is taken as written: it is durable, so a retry of it
 * is a duplicate, at every worker alike.
 */
export class SourceTail {
  private constructor(
    private readonly tail: TopicTail,
    private readonly options: SourceTailOptions,
    /** Recent records read at start. */
    readonly restored: number,
  ) {}

  static async start(options: SourceTailOptions): Promise<SourceTail> {
    const { brokers, source, writer } = options;
    const log = options.log.child({ connector: source.name });
    let restored = 0;
    let started = false;
    const { windowMs, maxEntries } = source.dedupe;
    const tail = await TopicTail.start(
      brokers,
      source.topics,
      (record) => {
        const { [SOURCE_HEADERS.connector]: connector, [SOURCE_HEADERS.partition]: partition, [SOURCE_HEADERS.offset]: offset } = record.headers;
        if (connector !== source.name || partition === undefined || offset === undefined) return;
        writer.rememberWritten(source, { sourcePartition: partition, sourceOffset: offset }, record.timestamp);
        if (!started) restored++;
      },
      // The window holds maxEntries in all; reading more per partition only to evict it is what
      // made restarts slow (3 partitions x 1M records at the defaults).
      { since: { timestamp: Date.now() - windowMs, maxRecords: maxEntries }, catchUpTimeoutMs: options.timeoutMs, log, signal: options.signal },
    );
    started = true;
    return new SourceTail(tail, { ...options, log }, restored);
  }

  /**
   * Strict read-after-acknowledge across workers: before a worker decides an offset is new, its
   * tail reads up to where the topics end as of now, so a record another worker acknowledged (it
   * answers only after Kafka's acks=all) is in the window, however soon the retry came. Pushes
   * arriving together share one end-offsets query and one wait (ReadBarrier).
   */
  caughtUp(): Promise<void> {
    return this.tail.caughtUp();
  }

  /**
   * A transaction's commit returns before its commit markers are written, and until they are, the
   * records stay past the last stable offset that other workers' caughtUp reads up to. So an
   * exactly-once push is answered only once this worker's own read_committed tail has read them.
   */
  async readable(records: readonly WrittenRecord[]): Promise<void> {
    const last = new Map<string, WrittenRecord>();
    for (const r of records) {
      // A partition added to the topic since the tail started is not read: nothing to wait for.
      if (!this.tail.follows(r.topic, r.partition)) continue;
      const key = `${r.topic}\u0000${r.partition}`;
      if ((last.get(key)?.offset ?? -1) < r.offset) last.set(key, r);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.options.timeoutMs)));
    const read = Promise.all([...last.values()].map((r) => this.tail.waitFor(r.topic, r.partition, r.offset + 1))).then(
      () => 'read' as const,
      (error: Error) => error.message,
    );
    const outcome = await Promise.race([read, late]);
    clearTimeout(timer);
    // The records are committed either way; only a retry at another worker soon after could miss them.
    if (outcome !== 'read') {
      this.options.log.warn(`connector ${this.options.source.name}: committed records not read back within ${this.options.timeoutMs} ms (${outcome})`);
    }
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }
}

