import type { DeliveryOutcome, RecordWriter, SourceRecord } from '../source/types.ts';
import type { LibrdKafkaError } from './librdkafka.ts';
import { connectProducer, deliveryReports, produceAll, type OutgoingMessage, type ProducerOptions } from './producer.ts';

export interface TransactionalWriterOptions extends ProducerOptions {
  /** Stable per worker, so a restarted worker fences its previous incarnation. */
  transactionalId: string;
  transactionTimeoutMs: number;
  /** Source offsets advanced by a transaction are written in it, to this topic. */
  offsetsTopic: string;
  /** Runs after a transaction's records are acknowledged, before its commit (fault injection). */
  beforeCommit?: () => void;
}

interface Pending {
  records: readonly SourceRecord[];
  resolve: (outcomes: DeliveryOutcome[]) => void;
}

type TxProducer = Awaited<ReturnType<typeof connectProducer>>;

const call = (fn: (cb: (error: LibrdKafkaError | null | undefined) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

/** Kafka Connect's offsets-topic record for a source partition's latest offset. */
function offsetRecords(records: readonly SourceRecord[], topic: string, connectorOf: (r: SourceRecord) => string): OutgoingMessage[] {
  const latest = new Map<string, string>();
  for (const record of records) {
    if (record.sourceOffset === null) continue;
    latest.set(JSON.stringify([connectorOf(record), { partition: record.sourcePartition }]), record.sourceOffset);
  }
  return [...latest].map(([key, offset]) => ({ topic, key, value: JSON.stringify({ offset }), headers: {} }));
}

/**
 * Exactly-once source writes: the records of concurrent pushes and the source offsets they
 * advance go into one Kafka transaction (group commit), so read_committed consumers see all of
 * a push or none of it, and a crash before the commit leaves nothing visible.
 */
export class TransactionalRecordWriter implements RecordWriter {
  private producer: Promise<TxProducer> | undefined;
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly options: TransactionalWriterOptions,
    private readonly connectorOf: (record: SourceRecord) => string,
  ) {}

  available(): boolean {
    return true;
  }

  write(records: readonly SourceRecord[]): Promise<DeliveryOutcome[]> {
    return new Promise((resolve) => {
      this.queue.push({ records, resolve });
      void this.drain();
    });
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

  private async commit(batch: Pending[]): Promise<void> {
    const records = batch.flatMap((p) => p.records);
    let producer: TxProducer | undefined;
    try {
      producer = await this.connect();
      await call((cb) => producer!.beginTransaction(cb));
      const outcomes = await produceAll(producer, [...records, ...offsetRecords(records, this.options.offsetsTopic, this.connectorOf)]);
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
