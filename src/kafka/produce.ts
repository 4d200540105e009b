import type { DeliveryOutcome, ProducerRecord } from '../records/index.ts';
import type { Log } from '../log/index.ts';
import type { ProducerMeter } from '../metrics/index.ts';
import { commonConfig, newProducer, type DeliveryReport, type LibrdKafkaError, type ProducerClient } from './librdkafka.ts';

export interface ProducerOptions {
  brokers: string;
  clientId?: string;
  /** librdkafka `message.timeout.ms`: a record not acknowledged by then fails its request. */
  deliveryTimeoutMs: number;
  queueMaxMessages: number;
  /** librdkafka `linger.ms` (INLET_PRODUCER_LINGER_MS). */
  lingerMs: number;
  connectTimeoutMs?: number;
  log: Log;
  /** Measures each write from produce to its last delivery report. */
  meter?: ProducerMeter;
  /** Sees each client the producer opens, a replacement included (tests inject faults through it). */
  onClient?: (client: ProducerClient) => void;
}

/** One write call: delivery reports fill it in, the last one resolves it. */
export class PendingWrite {
  readonly outcomes: DeliveryOutcome[];
  private remaining: number;
  private resolve!: (outcomes: DeliveryOutcome[]) => void;
  readonly done = new Promise<DeliveryOutcome[]>((resolve) => (this.resolve = resolve));

  constructor(size: number) {
    this.outcomes = new Array(size);
    this.remaining = size;
  }

  settle(index: number, outcome: DeliveryOutcome): void {
    if (this.outcomes[index] !== undefined) return;
    this.outcomes[index] = outcome;
    if (--this.remaining === 0) this.resolve(this.outcomes);
  }

  /** Fails every record still waiting for its report (its client is gone and will not report it). */
  failRemaining(reason: string): void {
    for (let i = 0; i < this.outcomes.length; i++) this.settle(i, { delivered: false, reason });
  }
}

interface Opaque {
  write: PendingWrite;
  index: number;
}

/**
 * Produces every message; the result resolves when each has a delivery report (see
 * deliveryReports). A record the client refuses at once (a full queue, a closed or fatally failed
 * producer) gets no report: it is settled here, and `refused` hears why.
 */
export function produceAll(
  producer: ProducerClient,
  records: readonly ProducerRecord[],
  { refused, pending }: { refused?: (error: LibrdKafkaError) => void; pending?: Set<PendingWrite> } = {},
): Promise<DeliveryOutcome[]> {
  const write = new PendingWrite(records.length);
  if (records.length === 0) return Promise.resolve([]);
  pending?.add(write);
  records.forEach((record, index) => {
    const headers = Object.entries(record.headers).map(([key, value]) => ({ [key]: value }));
    try {
      producer.produce(
        record.topic,
        null,
        record.value === null ? null : Buffer.from(record.value),
        record.key ?? undefined,
        Date.now(),
        { write, index } satisfies Opaque,
        headers,
      );
    } catch (error) {
      refused?.(error as LibrdKafkaError);
      write.settle(index, { delivered: false, reason: (error as Error).message });
    }
  });
  return write.done.finally(() => pending?.delete(write));
}

/** A connected idempotent, acks=all producer; `extra` adds settings (a transactional.id). */
export async function connectProducer(options: ProducerOptions, extra: Record<string, string | number | boolean> = {}) {
  const producer = newProducer(
    {
      ...commonConfig(options.brokers, options.clientId ?? 'inlet-producer'),
      'enable.idempotence': true,
      acks: -1,
      'linger.ms': options.lingerMs,
      'batch.num.messages': 10000,
      'compression.type': 'lz4',
      'message.timeout.ms': options.deliveryTimeoutMs,
      'queue.buffering.max.messages': options.queueMaxMessages,
      dr_cb: true,
      ...extra,
    },
    options.log,
  );
  options.onClient?.(producer);
  await new Promise<void>((resolve, reject) => {
    producer.connect({ timeout: options.connectTimeoutMs ?? 30_000 }, (error) => (error ? reject(error) : resolve()));
  });
  // Delivery reports are polled on librdkafka's thread, not by a JS timer on the event loop.
  producer.setPollInBackground(true);
  return producer;
}

/** Routes a producer's delivery reports to the writes produceAll started. */
export function deliveryReports(producer: ProducerClient, onError?: (error: LibrdKafkaError) => void): void {
  producer.on('delivery-report', (error: LibrdKafkaError | null, report: DeliveryReport) => {
    const { write, index } = report.opaque as Opaque;
    if (error) {
      onError?.(error);
      write.settle(index, { delivered: false, reason: error.message });
    } else write.settle(index, { delivered: true, partition: report.partition, offset: report.offset });
  });
}
