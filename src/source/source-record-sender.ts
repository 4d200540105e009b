import { DedupeWindow, type Claim } from './dedupe-window.ts';
import { ThrottledError, UnavailableError } from '../errors/index.ts';
import { InflightLimit, type InflightBounds } from './inflight-limit.ts';
import { SourceProgress } from './source-progress.ts';
import type { DeliveryOutcome, RecordProducer } from '../records/index.ts';
import type { IngestResult, SourceConnector, SourceRecord } from './types.ts';

const RETRY_AFTER_SECONDS = 5;
const THROTTLE_RETRY_AFTER_SECONDS = 1;

/** Where Kafka put a record this worker wrote. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * What a worker learns of the records the other workers of its cluster wrote (src/runtime follows
 * each source's topics). A load balancer may send a retry to any worker, so a record one of them
 * acknowledged must be a duplicate at all of them.
 */
export interface ClusterWindow {
  /**
   * Resolves once this worker's window holds every record of `connector` that any worker had
   * acknowledged before the call; rejects when that cannot be known now.
   */
  caughtUp(connector: string): Promise<void>;
  /**
   * Resolves once `records`, just committed by an exactly-once transaction, are seen by every
   * worker's caughtUp (or a bound passed; it never rejects): a commit returns before the commit
   * markers that make the records readable are written.
   */
  readable(connector: string, records: readonly WrittenRecord[]): Promise<void>;
}

export interface SourceRecordSenderOptions {
  inflight?: InflightBounds;
  /** Writes for exactly-once connectors: records and their source offsets in one transaction. */
  transactional?: RecordProducer<SourceRecord>;
  /** Called when a source partition's offset advanced (to persist it, Kafka Connect style). */
  onOffset?: (connector: string, sourcePartition: string, offset: string) => void;
  /** Shares the dedupe window with the other workers of the cluster. */
  cluster?: ClusterWindow;
}

interface ConnectorState {
  window: DedupeWindow;
  /** Only for sources whose offsets grow (CDC): anything at or below the stored offset is old. */
  progress: SourceProgress | undefined;

}

/** Where the delivered records of a write landed. */
function written(records: readonly SourceRecord[], outcomes: readonly DeliveryOutcome[]): WrittenRecord[] {
  return outcomes.flatMap((outcome, i) =>
    outcome.delivered && outcome.partition !== undefined && outcome.offset !== undefined ? [{ topic: records[i]!.topic, partition: outcome.partition, offset: outcome.offset }] : [],
  );
}

const windowKey = (record: Pick<SourceRecord, 'sourcePartition' | 'sourceOffset'>) =>
  `${record.sourcePartition}\u0000${record.sourceOffset}`;

/**
 * Sends the records of one push to Kafka (as Connect's source task sends what it polled): skips
 * those whose source offset was already written (the dedupe window, shared with the cluster),
 * bounds what is in flight, produces the rest, advances the source offsets, and reports success
 * only when every one of them is durable.
 */
export class SourceRecordSender {
  private readonly states = new Map<string, ConnectorState>();
  private readonly limit: InflightLimit | undefined;

  constructor(
    private readonly producer: RecordProducer<SourceRecord>,
    private readonly options: SourceRecordSenderOptions = {},
  ) {
    this.limit = options.inflight && new InflightLimit(options.inflight);
  }

  /** Records and bytes in flight to Kafka now, beside their bounds (read by the metrics scrape). */
  inflight(): { records: number; bytes: number; maxRecords: number; maxBytes: number } | undefined {
    return this.limit && { ...this.limit.inflight, ...this.limit.bounds };
  }

  /** Entries of each source's dedupe window (read by the metrics scrape). */
  *dedupeWindowSizes(): Iterable<[connector: string, entries: number]> {
    for (const [name, state] of this.states) yield [name, state.window.size];
  }

  private state(connector: SourceConnector): ConnectorState {
    let state = this.states.get(connector.name);
    if (!state) {
      state = {
        window: new DedupeWindow(connector.dedupe),
        progress: connector.offsetOrder && new SourceProgress(connector.offsetOrder),
      };
      this.states.set(connector.name, state);
    }
    return state;
  }

  /** Restores what a previous run wrote: a recent record seen in Kafka. */
  rememberWritten(connector: SourceConnector, record: Pick<SourceRecord, 'sourcePartition' | 'sourceOffset'>, at: number): void {
    if (record.sourceOffset !== null) this.state(connector).window.remember(windowKey(record), at);
  }

  /** Restores a stored source offset (from the offsets topic). */
  restoreOffset(connector: SourceConnector, sourcePartition: string, offset: string): void {
    this.state(connector).progress?.restore(sourcePartition, offset);
  }

  /** Replaces the stored offsets of a source whose offsets grow (after the offsets API altered them). */
  replaceOffsets(connector: SourceConnector, entries: readonly [partition: string, offset: string][]): void {
    const state = this.state(connector);
    if (!connector.offsetOrder) return;
    state.progress = new SourceProgress(connector.offsetOrder);
    for (const [partition, offset] of entries) state.progress.restore(partition, offset);
  }

  async write(connector: SourceConnector, records: readonly SourceRecord[]): Promise<IngestResult> {
    if (!this.producer.available()) {
      throw new UnavailableError('Kafka is unreachable; records were not accepted', RETRY_AFTER_SECONDS);
    }
    const bytes = records.reduce((sum, r) => sum + (r.value?.length ?? 0) + (r.key?.length ?? 0), 0);
    const release = this.limit ? this.limit.tryAcquire(records.length, bytes) : () => {};
    if (!release) throw new ThrottledError('too many records in flight; slow down', THROTTLE_RETRY_AFTER_SECONDS);
    try {
      return await this.writeClaimed(connector, records);
    } finally {
      release();
    }
  }

  private async writeClaimed(connector: SourceConnector, records: readonly SourceRecord[]): Promise<IngestResult> {
    const state = this.state(connector);
    const { toWrite, claims, duplicates } = await this.claimOffsets(connector, state, records);
    if (toWrite.length === 0) return { accepted: 0, duplicates };

    for (const record of toWrite) if (record.sourceOffset !== null) state.progress?.begin(record.sourcePartition, record.sourceOffset);
    const producer = connector.exactlyOnce ? this.options.transactional : this.producer;
    if (!producer) throw new UnavailableError(`connector ${connector.name} requires exactly-once, which this worker does not offer`, RETRY_AFTER_SECONDS);
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await producer.write(toWrite);
    } catch (error) {
      outcomes = toWrite.map(() => ({ delivered: false, reason: (error as Error).message }));
    }
    let failure: string | null = null;
    const advanced = new Map<string, string>();
    outcomes.forEach((outcome, i) => {
      const record = toWrite[i]!;
      if (outcome.delivered) claims[i]?.commit();
      else {
        claims[i]?.release();
        failure ??= outcome.reason;
      }
      if (record.sourceOffset === null) return;
      if (state.progress) {
        const stored = state.progress.end(record.sourcePartition, record.sourceOffset, outcome.delivered);
        if (stored !== undefined) advanced.set(record.sourcePartition, stored);
      } else if (outcome.delivered) advanced.set(record.sourcePartition, record.sourceOffset);
    });
    // The transaction already carried an exactly-once connector's offsets.
    if (!connector.exactlyOnce) for (const [partition, offset] of advanced) this.options.onOffset?.(connector.name, partition, offset);
    if (failure !== null) {
      throw new UnavailableError(`records were not acknowledged by Kafka: ${failure}`, RETRY_AFTER_SECONDS);
    }
    if (connector.exactlyOnce && this.options.cluster) await this.options.cluster.readable(connector.name, written(toWrite, outcomes));
    return { accepted: toWrite.length, duplicates };
  }

  /**
   * Claims offsets in sorted order so that two concurrent pushes sharing offsets cannot each hold
   * one the other waits for.
   */
  private async claimOffsets(connector: SourceConnector, { window, progress }: ConnectorState, records: readonly SourceRecord[]) {
    const byKey = new Map<string, number>();
    let duplicates = 0;
    records.forEach((record, i) => {
      if (record.sourceOffset === null) return;
      const key = windowKey(record);
      if (byKey.has(key) || progress?.isWritten(record.sourcePartition, record.sourceOffset)) duplicates++;
      else byKey.set(key, i);
    });
    // An offset this worker does not know may have been acknowledged by another worker a moment
    // ago: learn everything the cluster wrote before this push arrived, then decide. A retry of
    // what the window already holds needs no round trip.
    const cluster = this.options.cluster;
    if (cluster && connector.dedupe.windowMs > 0 && [...byKey.keys()].some((key) => !window.isWritten(key))) {
      try {
        await cluster.caughtUp(connector.name);
      } catch (error) {
        throw new UnavailableError(`cannot read from Kafka which records other workers already wrote: ${(error as Error).message}`, RETRY_AFTER_SECONDS);
      }
    }
    const claimed = new Map<number, Claim>();
    for (const key of [...byKey.keys()].sort()) {
      let attempt = window.tryClaim(key);
      while (attempt.kind === 'busy') {
        await attempt.settled;
        attempt = window.tryClaim(key);
      }
      if (attempt.kind === 'claimed') claimed.set(byKey.get(key)!, attempt.claim);
      else duplicates++;
    }
    const toWrite: SourceRecord[] = [];
    const claims: (Claim | undefined)[] = [];
    records.forEach((record, i) => {
      if (record.sourceOffset === null) {
        toWrite.push(record);
        claims.push(undefined);
      } else if (claimed.has(i)) {
        toWrite.push(record);
        claims.push(claimed.get(i));
      }
    });
    return { toWrite, claims, duplicates };
  }
}
