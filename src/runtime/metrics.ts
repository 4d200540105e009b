import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { repeatLimiter, type Log } from '../log/index.ts';
import type { IngestMeter, IngestMetrics, ProducerMeter, SinkMeter } from '../metrics/index.ts';
import type { PartitionLag } from './worker-sink-task.ts';

/** Label value for pushes to a name no source connector has: one series for all of them. */
export const UNKNOWN_CONNECTOR = '(unknown)';

/** Every state a task of either kind reports (Connect's, and a sink task's RETRYING): each gets a series. */
const TASK_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'RESTARTING', 'RETRYING', 'FAILED'] as const;
export type TaskStateName = (typeof TASK_STATES)[number];

/** The worker's two producers: the idempotent one most writes share, and the exactly-once sources' transactional one. */
export type ProducerKind = 'idempotent' | 'transactional';

// Ingest answers in milliseconds when Kafka is near, seconds when it is slow or far.
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the scrape reads off the worker at that moment (gauges cost nothing between scrapes). */
export interface WorkerView {
  inflight(): { records: number; bytes: number; maxRecords: number; maxBytes: number } | undefined;
  /** Records awaiting their delivery reports in each producer. */
  producerQueues(): Record<ProducerKind, number>;
  /** The bound on each producer's queue (INLET_PRODUCER_QUEUE_MAX_MESSAGES). */
  producerQueueMax: number;
  dedupeWindowSizes(): Iterable<[connector: string, entries: number]>;
  /** The tasks on this worker, source and sink, in the state each is in. */
  tasks(): Iterable<{ connector: string; task: number; type: 'source' | 'sink'; state: TaskStateName }>;
  /** What this worker reports of each sink connector's lag, by task (see SinkConnectorRuntime.lagReports). */
  sinkLags(): Iterable<{ connector: string; task: number; lag(timeoutMs: number): Promise<PartitionLag[]> }>;
  log: Log;
}

/** A scrape waits this long for the log end offsets of the sink partitions. */
const LAG_TIMEOUT_MS = 2000;
/** A failing lag read is logged once, then once a minute with how many failed since. */
const LAG_WARNING_INTERVAL_MS = 60_000;

/**
 * The worker's Prometheus registry (prom-client): the meters the data path records into
 * (src/metrics' ports, each bound to its labels once) and the gauges read at scrape time.
 * Names follow `inlet_<subsystem>_<what>_<unit>`; process metrics keep prom-client's standard
 * names (`process_*`, `nodejs_*`), which dashboards for any Node service already know.
 */
export class WorkerMetrics implements IngestMetrics {
  readonly registry = new Registry();
  private readonly ingestDuration: Histogram<'connector' | 'status'>;
  private readonly sinkRecords: Counter<'connector'>;
  private readonly sinkBatchDuration: Histogram<'connector'>;
  private readonly deadLetters: Counter<'connector'>;
  private readonly retries: Counter<'connector'>;
  private readonly rebalances: Counter<'connector'>;
  private readonly deliveryDuration: Histogram<'producer'>;
  private readonly ingestMeters = new Map<string, ConnectorIngest>();

  constructor(view: WorkerView) {
    const registers = [this.registry];
    const lagWarnings = repeatLimiter(LAG_WARNING_INTERVAL_MS);
    collectDefaultMetrics({ register: this.registry });
    // Ingest's counters are plain numbers until a scrape copies them in: prom-client hashes the
    // labels of every inc (~0.3 µs each, four a push); the histogram's buckets need its observe.
    const meters = this.ingestMeters;
    new Counter({
      name: 'inlet_ingest_requests_total',
      help: 'Pushes answered, by connector and HTTP status.',
      labelNames: ['connector', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [connector, meter] of meters) for (const [status, { count }] of meter.byStatus) this.inc({ connector, status: String(status) }, count);
      },
    });
    this.ingestDuration = new Histogram({
      name: 'inlet_ingest_request_duration_seconds',
      help: 'Time from a push arriving to its answer (after Kafka acknowledged its records), by connector and HTTP status.',
      labelNames: ['connector', 'status'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    new Counter({
      name: 'inlet_ingest_records_total',
      help: 'Records pushed, by connector and result: accepted (written to Kafka), duplicate (a retry, not written again), rejected (refused with their push).',
      labelNames: ['connector', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [connector, meter] of meters) {
          this.inc({ connector, result: 'accepted' }, meter.accepted);
          this.inc({ connector, result: 'duplicate' }, meter.duplicates);
          this.inc({ connector, result: 'rejected' }, meter.rejectedRecords);
        }
      },
    });
    new Counter({
      name: 'inlet_ingest_received_bytes_total',
      help: 'Request body bytes read by ingest, by connector.',
      labelNames: ['connector'],
      registers,
      collect() {
        this.reset();
        for (const [connector, meter] of meters) this.inc({ connector }, meter.bytes);
      },
    });
    const inflight = (key: 'records' | 'bytes' | 'maxRecords' | 'maxBytes', name: string, help: string) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const now = view.inflight();
          if (now) this.set(now[key]);
        },
      });
    inflight('records', 'inlet_ingest_inflight_records', 'Records being written to Kafka now (INLET_MAX_INFLIGHT_RECORDS bounds it).');
    inflight('maxRecords', 'inlet_ingest_inflight_max_records', 'The bound on records in flight (INLET_MAX_INFLIGHT_RECORDS): past it, pushes get 429.');
    inflight('bytes', 'inlet_ingest_inflight_bytes', 'Bytes of records being written to Kafka now (INLET_MAX_INFLIGHT_BYTES bounds it).');
    inflight('maxBytes', 'inlet_ingest_inflight_max_bytes', 'The bound on bytes in flight (INLET_MAX_INFLIGHT_BYTES): past it, pushes get 429.');
    new Gauge({
      name: 'inlet_kafka_producer_queue_records',
      help: "Records handed to one of the worker's producers and awaiting their delivery reports (an exactly-once source's, their transaction's commit), by producer: idempotent or transactional.",
      labelNames: ['producer'],
      registers,
      collect() {
        for (const [producer, records] of Object.entries(view.producerQueues())) this.set({ producer }, records);
      },
    });
    new Gauge({
      name: 'inlet_kafka_producer_queue_max_records',
      help: "The bound on each producer's queue (INLET_PRODUCER_QUEUE_MAX_MESSAGES): past it, writes fail and ingest answers 503.",
      registers,
      collect() {
        this.set(view.producerQueueMax);
      },
    });
    this.deliveryDuration = new Histogram({
      name: 'inlet_kafka_delivery_duration_seconds',
      help: "Time from producing a write's records to Kafka's last delivery report for them (acks=all); for the transactional producer, to its transaction's commit. By producer: idempotent or transactional.",
      labelNames: ['producer'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'inlet_source_dedupe_window_entries',
      help: "Source offsets in a source connector's dedupe window (dedupe.max.entries bounds it).",
      labelNames: ['connector'],
      registers,
      collect() {
        this.reset();
        for (const [connector, entries] of view.dedupeWindowSizes()) this.set({ connector }, entries);
      },
    });
    this.sinkRecords = new Counter({ name: 'inlet_sink_records_total', help: 'Records applied to the database by sink tasks, by connector.', labelNames: ['connector'], registers });
    this.sinkBatchDuration = new Histogram({
      name: 'inlet_sink_batch_duration_seconds',
      help: 'Time to apply one partition batch, from planning to its transaction committed, by connector.',
      labelNames: ['connector'],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.deadLetters = new Counter({ name: 'inlet_sink_dead_letter_records_total', help: 'Errant records written to the dead-letter topic, by connector.', labelNames: ['connector'], registers });
    this.retries = new Counter({ name: 'inlet_sink_retries_total', help: 'Transient database errors retried (errors.retry.timeout), by connector.', labelNames: ['connector'], registers });
    this.rebalances = new Counter({ name: 'inlet_sink_rebalances_total', help: "Rebalances that moved partitions of a sink task's consumer, by connector.", labelNames: ['connector'], registers });
    new Gauge({
      name: 'inlet_task_state',
      help: 'Tasks on this worker, source and sink (type): 1 for the state each is in, 0 for the others.',
      labelNames: ['connector', 'task', 'type', 'state'],
      registers,
      collect() {
        this.reset();
        for (const { connector, task, type, state } of view.tasks()) {
          for (const each of TASK_STATES) this.set({ connector, task: String(task), type, state: each }, each === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'inlet_sink_lag_records',
      help: "Records not yet applied, per partition of this worker's sink tasks: the log end offset minus the position stored in the database.",
      labelNames: ['connector', 'topic', 'partition'],
      registers,
      async collect() {
        const read = await Promise.all(
          [...view.sinkLags()].map(async ({ connector, task, lag }) => {
            try {
              return (await lag(LAG_TIMEOUT_MS)).map(({ topic, partition, records }) => ({ labels: { connector, topic, partition: String(partition) }, records }));
            } catch (error) {
              // A scrape still answers; this task's partitions are missing from it. During an
              // outage every scrape (and the console's sampler, every 5 s) fails alike: counted.
              const message = `${connector} task ${task}: reading the log end offsets for the lag failed: ${(error as Error).message}`;
              lagWarnings(`${connector}/${task}`, (repeats) => view.log.warn(repeats === 0 ? { connector, task } : { connector, task, repeats }, message));
              return [];
            }
          }),
        );
        // Reset and set with no await between: a scrape and the console's sampler collect at
        // once, and one's reset must not land between the other's reads and its sets.
        this.reset();
        for (const { labels, records } of read.flat()) this.set(labels, records);
      },
    });
  }

  /** The scrape: Prometheus' text exposition. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  connector(name: string | undefined): IngestMeter {
    // A map lookup by the name the request already holds: no label string per push.
    const connector = name ?? UNKNOWN_CONNECTOR;
    let meter = this.ingestMeters.get(connector);
    if (!meter) {
      meter = new ConnectorIngest(connector, this.ingestDuration);
      this.ingestMeters.set(connector, meter);
    }
    return meter;
  }

  /** The meter a sink connector's tasks on this worker record into. */
  sink(connector: string): SinkMeter {
    const records = this.sinkRecords.labels({ connector });
    const duration = this.sinkBatchDuration.labels({ connector });
    const deadLetters = this.deadLetters.labels({ connector });
    const retries = this.retries.labels({ connector });
    const rebalances = this.rebalances.labels({ connector });
    return {
      applied: (applied, seconds) => {
        records.inc(applied);
        duration.observe(seconds);
      },
      deadLettered: (letters) => deadLetters.inc(letters),
      retried: () => retries.inc(),
      rebalanced: () => rebalances.inc(),
    };
  }

  /** The meter of one of the worker's producers. */
  producer(kind: ProducerKind): ProducerMeter {
    const duration = this.deliveryDuration.labels({ producer: kind });
    return { delivered: (seconds) => duration.observe(seconds) };
  }
}

/** One connector's ingest meter: counts kept as numbers (read by the scrape), latency observed per status. */
class ConnectorIngest implements IngestMeter {
  accepted = 0;
  duplicates = 0;
  rejectedRecords = 0;
  bytes = 0;
  readonly byStatus = new Map<number, { count: number; duration: Histogram.Internal<'connector' | 'status'> }>();

  constructor(
    private readonly connector: string,
    private readonly durations: Histogram<'connector' | 'status'>,
  ) {}

  request(status: number, seconds: number): void {
    let series = this.byStatus.get(status);
    if (!series) {
      series = { count: 0, duration: this.durations.labels({ connector: this.connector, status: String(status) }) };
      this.byStatus.set(status, series);
    }
    series.count++;
    series.duration.observe(seconds);
  }

  records(accepted: number, duplicates: number): void {
    this.accepted += accepted;
    this.duplicates += duplicates;
  }

  rejected(records: number): void {
    this.rejectedRecords += records;
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }
}

/** One sample for the console's charts: records accepted so far, and sink lag, per connector. */
export interface RateSample {
  /** When it was taken (ms since the epoch). */
  t: number;
  /** inlet_ingest_records_total{result="accepted"}, summed per connector: a counter (rates come from two samples). */
  ingested: Record<string, number>;
  /** inlet_sink_lag_records summed over each connector's partitions on this worker. */
  lag: Record<string, number>;
}

/**
 * The last minutes of ingest and sink lag, sampled from the registry as a Prometheus server
 * would scrape it, so a console opened now charts what happened before it was opened. A ring
 * buffer: a fixed number of samples, the oldest overwritten. A sample asks the brokers for the
 * sink partitions' end offsets (as a scrape does), at most one sample at a time.
 */
export class RateSamples {
  private readonly ring: RateSample[] = [];
  private next = 0;
  private sampling = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly registry: Registry,
    readonly everyMs = 5_000,
    readonly historyMs = 10 * 60_000,
  ) {}

  start(): void {
    // A failed sample is a gap in the charts; the same read fails a scrape, which reports it.
    this.timer ??= setInterval(() => void this.sample().catch(() => undefined), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample now (skipped while the last one is still reading). */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const sample: RateSample = { t: Date.now(), ingested: {}, lag: {} };
      const [ingested, lag] = await Promise.all(['inlet_ingest_records_total', 'inlet_sink_lag_records'].map((name) => this.registry.getSingleMetric(name)?.get()));
      for (const { labels, value } of ingested?.values ?? []) {
        const connector = String(labels.connector);
        if (labels.result === 'accepted' && connector !== UNKNOWN_CONNECTOR) sample.ingested[connector] = (sample.ingested[connector] ?? 0) + value;
      }
      for (const { labels, value } of lag?.values ?? []) sample.lag[String(labels.connector)] = (sample.lag[String(labels.connector)] ?? 0) + value;
      const capacity = Math.ceil(this.historyMs / this.everyMs);
      this.ring[this.next] = sample;
      this.next = (this.next + 1) % capacity;
    } finally {
      this.sampling = false;
    }
  }

  /** The samples held, oldest first. */
  samples(): RateSample[] {
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
