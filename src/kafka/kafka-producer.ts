import type { DeliveryOutcome, ProducerRecord, RecordProducer } from '../records/index.ts';
import { CODES, type LibrdKafkaError, type ProducerClient } from './librdkafka.ts';
import { connectProducer, deliveryReports, produceAll, type PendingWrite, type ProducerOptions } from './produce.ts';
import { WriteTally } from './write-tally.ts';

const UNREACHABLE = new Set<number>([CODES.ERRORS.ERR__ALL_BROKERS_DOWN, CODES.ERRORS.ERR__MSG_TIMED_OUT]);
const PROBE_INTERVAL_MS = 500;
/** How long a client that failed fatally may take to report what it had in flight before it is freed. */
const FATAL_DRAIN_MS = 5000;

/**
 * The durable write path: an idempotent producer with acks=all whose writes resolve from
 * librdkafka's delivery reports, so a caller learns a record is in Kafka before it says so.
 * Concurrent writes share librdkafka's batches (linger.ms); there is no per-record promise.
 *
 * A fatal error (the idempotent producer fenced or out of sequence) leaves librdkafka's client
 * unusable: it is replaced by a new one, and only the writes it had queued or in flight fail (each
 * record its own report: purged ones fail, acknowledged ones stand), so their senders retry and
 * dedupe keeps them once; writes that come meanwhile wait for the new client.
 */
export class KafkaProducer implements RecordProducer {
  private reachable = true;
  private probing = false;
  private closed = false;
  /** Records produced whose delivery reports have not all come (librdkafka's queue, as this producer's writes fill it). */
  private readonly tally: WriteTally;
  private client!: ProducerClient;
  /** The current client's unfinished writes, failed if it is dropped before reporting them. */
  private writes = new Set<PendingWrite>();
  private replacing: Promise<void> | undefined;

  private constructor(
    private readonly options: ProducerOptions,
    client: ProducerClient,
  ) {
    this.tally = new WriteTally(options.meter);
    this.use(client);
  }

  static async connect(options: ProducerOptions): Promise<KafkaProducer> {
    return new KafkaProducer(options, await connectProducer(options));
  }

  private use(client: ProducerClient): void {
    this.client = client;
    this.writes = new Set();
    deliveryReports(client, (error) => {
      if (UNREACHABLE.has(error.code)) this.markUnreachable(error.message);
    });
    client.on('delivery-report', (error: LibrdKafkaError | null) => {
      if (!error) this.reachable = true;
    });
    // The client's log has each error already (routeClientEvents).
    client.on('event.error', (error: LibrdKafkaError) => {
      if (isFatal(error)) this.replace(client, error.message);
      else if (error.code === CODES.ERRORS.ERR__ALL_BROKERS_DOWN) this.markUnreachable(error.message);
    });
  }

  private get log() {
    return this.options.log;
  }

  available(): boolean {
    return this.reachable && !this.closed;
  }

  /** Records written and not yet reported delivered or failed. */
  get queueDepth(): number {
    return this.tally.depth;
  }

  async write(records: readonly ProducerRecord[]): Promise<DeliveryOutcome[]> {
    return this.tally.track(records.length, async () => {
      await this.replacing;
      let outcomes = await this.produce(records);
      // The client had failed fatally before this write reached it (it queued none of it): the
      // write goes to its replacement, as one that came a moment later would.
      if (outcomes === 'refused as fatal') outcomes = await this.produce(records, true);
      return outcomes === 'refused as fatal' ? records.map(() => ({ delivered: false, reason: 'Kafka producer failed fatally' })) : outcomes;
    });
  }

  private async produce(records: readonly ProducerRecord[], afterReplacing = false): Promise<DeliveryOutcome[] | 'refused as fatal'> {
    if (afterReplacing) await this.replacing;
    const client = this.client;
    let fatal = 0;
    let reason = '';
    const outcomes = await produceAll(client, records, {
      pending: this.writes,
      refused: (error) => {
        if (error.code !== CODES.ERRORS.ERR__FATAL) return;
        fatal++;
        reason = error.message;
      },
    });
    if (fatal === 0) return outcomes;
    this.replace(client, reason);
    return fatal === records.length && !afterReplacing ? 'refused as fatal' : outcomes;
  }

  /**
   * Opens a new client in place of `broken` (once per broken client), then frees `broken` once
   * it reported what it had in flight, failing whatever it never reports.
   */
  private replace(broken: ProducerClient, reason: string): void {
    if (broken !== this.client || this.replacing || this.closed) return;
    this.log.error({ reason }, 'kafka producer failed fatally; replacing it (its unacknowledged writes fail, to be retried)');
    const orphans = this.writes;
    this.replacing = connectProducer(this.options)
      .then(
        (client) => {
          if (this.closed) return void client.disconnect();
          this.use(client);
          this.log.info('kafka producer replaced');
        },
        // Kafka is out of reach too: the next write finds the broken client and tries again.
        (error: Error) => this.markUnreachable(`replacing the failed producer: ${error.message}`),
      )
      .finally(() => (this.replacing = undefined));
    // librdkafka has purged what was queued (failed reports) and reports what was sent as the
    // broker answers; a flush now would send the queue instead, so the client is only freed once
    // its writes settled (or after FATAL_DRAIN_MS), and what it never reported fails.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = new Promise<void>((resolve) => (timer = setTimeout(resolve, FATAL_DRAIN_MS)));
    void Promise.race([Promise.all([...orphans].map((write) => write.done)), drained]).then(() => {
      clearTimeout(timer);
      broken.disconnect(0, () => {
        for (const write of orphans) write.failRemaining(`Kafka producer failed fatally: ${reason}`);
      });
    });
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
      // The brokers alone: on FFI this is the one metadata form that does not block the JS thread.
      this.client.getMetadata({ allTopics: false, timeout: PROBE_INTERVAL_MS * 2 }, (error) => {
        if (!error) {
          this.reachable = true;
          this.probing = false;
          this.log.info('kafka reachable again');
        } else setTimeout(probe, PROBE_INTERVAL_MS);
      });
    };
    setTimeout(probe, PROBE_INTERVAL_MS);
  }

  /**
   * Whether a broker answers a metadata request within `timeoutMs`, for the readiness probe: an
   * idle producer hears of its brokers gone only when it next sends. The brokers alone, as the
   * reachability probe asks: no topic list, and no blocked JS thread on FFI.
   */
  answers(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.client.getMetadata({ allTopics: false, timeout: timeoutMs }, (error) => resolve(!error)));
  }

  /** Waits for queued records (up to `timeoutMs`), then disconnects. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    await this.replacing;
    const client = this.client;
    await new Promise<void>((resolve) => client.flush(timeoutMs, () => resolve()));
    this.closed = true;
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

/** A fatal error event: flagged so on FFI; the addon's event errors carry the code (see the addon backend). */
function isFatal(error: LibrdKafkaError): boolean {
  return error.isFatal === true || error.code === CODES.ERRORS.ERR__FATAL;
}
