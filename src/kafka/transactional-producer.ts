import type { ProducerRecord } from '../records/index.ts';
import { connectProducer, deliveryReports, produceAll, type ProducerOptions } from './produce.ts';
import type { LibrdKafkaError } from './librdkafka.ts';
import type { DeliveryOutcome, RecordProducer } from '../records/index.ts';
import { WriteTally } from './write-tally.ts';

export interface TransactionalProducerOptions extends ProducerOptions {
  /** Stable per worker, so a restarted worker fences its previous incarnation. */
  transactionalId: string;
  transactionTimeoutMs: number;
  /** Runs after a transaction's records are acknowledged, before its commit (fault injection). */
  beforeCommit?: () => void;
}

interface Pending<R> {
  records: readonly R[];
  resolve: (outcomes: DeliveryOutcome[]) => void;
}

type TxProducer = Awaited<ReturnType<typeof connectProducer>>;

const call = (fn: (cb: (error: LibrdKafkaError | null | undefined) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

/**
 * Exactly-once writes: the records of concurrent writes, and what `alongside` says they advance
 * (Kafka Connect's source offsets), go into one Kafka transaction (group commit), so
 * read_committed consumers see all of a write or none of it, and a crash before the commit leaves
 * nothing visible.
 */
export class TransactionalProducer<R extends ProducerRecord> implements RecordProducer<R> {
  private producer: Promise<TxProducer> | undefined;
  private queue: Pending<R>[] = [];
  private running = false;
  /** Records of writes not yet resolved (queued for the next transaction, or in the current one), and their time to it. */
  private readonly tally: WriteTally;

  constructor(
    private readonly options: TransactionalProducerOptions,
    /** The records a transaction of `records` also writes, e.g. their offsets-topic records. */
    private readonly alongside: (records: readonly R[]) => ProducerRecord[],
  ) {
    this.tally = new WriteTally(options.meter);
  }

  available(): boolean {
    return true;
  }

  /** Records written and not yet committed or failed (the transaction's own offset records aside). */
  get queueDepth(): number {
    return this.tally.depth;
  }

  write(records: readonly R[]): Promise<DeliveryOutcome[]> {
    return this.tally.track(
      records.length,
      () =>
        new Promise<DeliveryOutcome[]>((resolve) => {
          this.queue.push({ records, resolve });
          void this.drain();
        }),
    );
  }

  private connect(): Promise<TxProducer> {
    this.producer ??= (async () => {
      const producer = await connectProducer(this.options, {
        'transactional.id': this.options.transactionalId,
        'transaction.timeout.ms': this.options.transactionTimeoutMs,
      });
      deliveryReports(producer);
      // Fences an earlier producer with this id and aborts what it left open.
      await call((cb) => producer.initTransactions(this.options.transactionTimeoutMs, cb));
      return producer;
    })().catch((error) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  /** One transaction at a time; pushes that arrive meanwhile share the next one. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Pending<R>[]): Promise<void> {
    const records = batch.flatMap((p) => p.records);
    let producer: TxProducer | undefined;
    try {
      producer = await this.connect();
      await call((cb) => producer!.beginTransaction(cb));
      const outcomes = await produceAll(producer, [...records, ...this.alongside(records)]);
      const failed = outcomes.find((o) => !o.delivered);
      if (failed && !failed.delivered) throw new Error(failed.reason);
      this.options.beforeCommit?.();
      await call((cb) => producer!.commitTransaction(this.options.transactionTimeoutMs, cb));
      let at = 0;
      for (const pending of batch) {
        pending.resolve(outcomes.slice(at, at + pending.records.length));
        at += pending.records.length;
      }
    } catch (error) {
      const reason = (error as Error).message;
      if (producer) {
        await call((cb) => producer!.abortTransaction(this.options.transactionTimeoutMs, cb)).catch(() => {
          // A producer that cannot abort is fenced or fatally broken: start a new one next time.
          this.producer = undefined;
          producer!.disconnect();
        });
      }
      for (const pending of batch) pending.resolve(pending.records.map(() => ({ delivered: false, reason })));
    }
  }

  async close(): Promise<void> {
    await this.drain();
    const producer = await this.producer?.catch(() => undefined);
    if (producer) await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}
