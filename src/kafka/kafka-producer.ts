import type { ProducerRecord } from '../records/index.ts';
import { CODES, commonConfig, newProducer, type DeliveryReport, type LibrdKafkaError, type ProducerClient } from './librdkafka.ts';
import type { DeliveryOutcome, RecordProducer } from '../records/index.ts';
import type { ProducerMeter } from '../metrics/index.ts';
import type { Log } from '../log/index.ts';

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
    this.outcomes[index] = outcome;
    if (--this.remaining === 0) this.resolve(this.outcomes);
  }
}

interface Opaque {
  write: PendingWrite;
  index: number;
}

/** Produces every message; the result resolves when each has a delivery report (see deliveryReports). */
export function produceAll(producer: ProducerClient, records: readonly ProducerRecord[]): Promise<DeliveryOutcome[]> {
  const write = new PendingWrite(records.length);
  if (records.length === 0) return Promise.resolve([]);
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
      // Queue full or a closed producer: this record gets no report, so settle it here.
      write.settle(index, { delivered: false, reason: (error as Error).message });
    }
  });
  return write.done;
}

/** A connected idempotent, acks=all producer; `extra` adds settings (a transactional.id). */
export async function connectProducer(options: ProducerOptions, extra: Record<string, string | number | boolean> = {}) {
  const producer = newProducer({
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
  }, options.log);
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

const UNREACHABLE = new Set<number>([CODES.ERRORS.ERR__ALL_BROKERS_DOWN, CODES.ERRORS.ERR__MSG_TIMED_OUT]);
const PROBE_INTERVAL_MS = 500;

/**
 * The durable write path: an idempotent producer with acks=all whose writes resolve from
 * librdkafka's delivery reports, so a caller learns a record is in Kafka before it says so.
 * Concurrent writes share librdkafka's batches (linger.ms); there is no per-record promise.
 */
export class KafkaProducer implements RecordProducer {
  private reachable = true;
  private probing = false;
  private closed = false;
  /** Records produced whose delivery reports have not all come (librdkafka's queue, as this producer's writes fill it). */
  private awaitingReports = 0;

  private constructor(
    private readonly producer: ProducerClient,
    private readonly log: Log,
    private readonly meter: ProducerMeter | undefined,
  ) {
    deliveryReports(producer, (error) => {
      if (UNREACHABLE.has(error.code)) this.markUnreachable(error.message);
    });
    producer.on('delivery-report', (error: LibrdKafkaError | null) => {
      if (!error) this.reachable = true;
    });
    producer.on('event.error', (error: LibrdKafkaError) => {
      // The client's log has the error already (routeClientEvents).
      if (error.code === CODES.ERRORS.ERR__ALL_BROKERS_DOWN) this.markUnreachable(error.message);
    });
  }

  static async connect(options: ProducerOptions): Promise<KafkaProducer> {
    const producer = await connectProducer(options);
    return new KafkaProducer(producer, options.log, options.meter);
  }

  available(): boolean {
    return this.reachable && !this.closed;
  }

  /** Records written and not yet reported delivered or failed. */
  get queueDepth(): number {
    return this.awaitingReports;
  }

  async write(records: readonly ProducerRecord[]): Promise<DeliveryOutcome[]> {
    const started = performance.now();
    this.awaitingReports += records.length;
    try {
      return await produceAll(this.producer, records);
    } finally {
      this.awaitingReports -= records.length;
      this.meter?.delivered((performance.now() - started) / 1000);
    }
  }

  /**
   * Another Kafka request of this worker failed or timed out (e.g. a read barrier on a source's
   * topics, which ingest waits on before it produces): refuse ingest until a broker answers again,
   * as after a delivery timeout.
   */
  suspectUnreachable(reason: string): void {
    this.markUnreachable(reason);
  }

  /** While no broker answers, checks every PROBE_INTERVAL_MS so ingest resumes once one does. */
  private markUnreachable(reason: string): void {
    if (this.reachable) this.log.warn(`kafka unreachable: ${reason}`);
    this.reachable = false;
    if (this.probing || this.closed) return;
    this.probing = true;
    const probe = () => {
      if (this.closed) return;
      this.producer.getMetadata({ timeout: PROBE_INTERVAL_MS * 2 }, (error) => {
        if (!error) {
          this.reachable = true;
          this.probing = false;
          this.log.info('kafka reachable again');
        } else setTimeout(probe, PROBE_INTERVAL_MS);
      });
    };
    setTimeout(probe, PROBE_INTERVAL_MS);
  }

  /** Waits for queued records (up to `timeoutMs`), then disconnects. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => this.producer.flush(timeoutMs, () => resolve()));
    this.closed = true;
    await new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }
}
