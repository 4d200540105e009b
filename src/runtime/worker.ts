import { envAllowlist, type DeclaredConnector, type WorkerEnv } from '../config/index.ts';
import { createApp, type NotReadyReason } from '../http/index.ts';
import { ensureTopics, KafkaProducer, TransactionalProducer } from '../kafka/index.ts';
import { SOURCE_HEADERS, SourceRecordSender, type SourceRecord } from '../source/index.ts';
import { buildTransformChain } from '../transforms/index.ts';
import { ConfigStore } from './config-store.ts';
import { RateSamples, WorkerMetrics } from './metrics.ts';
import { offsetRecords, SourceOffsetStore } from './offset-store.ts';
import { ConnectorReconciler } from './reconciler.ts';
import { secretValuesOf, type KnownSecrets } from './logger.ts';
import { SinkConnectorRuntime } from './sink-connector.ts';
import { SourceTail } from './source-tail.ts';
import { StatusStore } from './status-store.ts';
import { WorkerHerder } from './worker-herder.ts';
import type { Log } from '../log/index.ts';

export const VERSION = '0.1.0';


export interface WorkerOptions {
  env: WorkerEnv;
  /** This machine's name: the worker id is `host:port`, as Connect's. The entry point asks the runtime for it. */
  host: string;
  /** Connectors to create or update at start (the config file); the config topic keeps the rest. */
  seed?: readonly DeclaredConnector[];
  /** Fault injection for tests: runs after every sink transaction, before the Kafka commit. */
  afterDbCommit?: () => void;
  /** Fault injection for tests: runs after an exactly-once source transaction's records are acknowledged, before its commit. */
  beforeSourceCommit?: () => void;
  /** The worker's logger (the entry point makes it); secrets are its to redact. */
  log: Log;
  /** The secret values the logger scrubs from every line: the worker adds its connectors' resolved secrets. */
  secrets?: KnownSecrets;
}

/** How long the readiness probe waits for a broker's metadata, and for a sink's database to answer `SELECT 1`. */
const PROBE_TIMEOUT_MS = 2_000;


/**
 * A worker: the producer behind ingest, the reconciler that runs what the config topic asks for on
 * this worker, and the HTTP app. Workers sharing a Kafka cluster (and INLET_GROUP_ID) form one
 * Connect cluster. `join()` reads the cluster's topics; `startConnectors()` then starts what they
 * hold (restoring dedupe windows), while the app already answers. `close()` drains: ingest is
 * refused, in-flight writes finish, sinks stop.
 */
export class Worker {
  private draining = false;
  /** Startup completed (KIP-1017): every stored connector was started or failed here. */
  private started = false;
  /** The console charts' last minutes, sampled from the metrics while the worker runs. */
  private readonly rates: RateSamples;

  private constructor(
    private readonly options: WorkerOptions,
    private readonly producer: KafkaProducer,
    private readonly transactional: TransactionalProducer<SourceRecord>,
    private readonly offsets: SourceOffsetStore,
    private readonly configs: ConfigStore,
    private readonly statuses: StatusStore,
    private readonly writer: SourceRecordSender,
    private readonly reconciler: ConnectorReconciler,
    readonly metrics: WorkerMetrics,
    readonly id: string,
    private readonly log: Log,
  ) {
    this.rates = new RateSamples(metrics.registry);
  }

  /** Connects to Kafka, reads the cluster's config, status and offsets topics, and stores the seed connectors. */
  static async join(options: WorkerOptions): Promise<Worker> {
    const { env } = options;
    const id = `${options.host}:${env.INLET_PORT}`;
    const log = options.log.child({ worker: id });
    // The scrape reads the worker's parts as they are then; none is asked before start returns.
    const metrics = new WorkerMetrics({
      inflight: () => writer.inflight(),
      producerQueues: () => ({ idempotent: producer.queueDepth, transactional: transactional.queueDepth }),
      producerQueueMax: env.INLET_PRODUCER_QUEUE_MAX_MESSAGES,
      dedupeWindowSizes: () => writer.dedupeWindowSizes(),
      tasks: () => [
        ...reconciler.sourceNames().flatMap((connector) => {
          const state = reconciler.sourceTaskState(connector);
          return state === undefined ? [] : [{ connector, task: 0, type: 'source' as const, state }];
        }),
        ...reconciler
          .sinkNames()
          .flatMap((connector) => (reconciler.sink(connector)?.runtime.taskStates() ?? []).map(([task, state]) => ({ connector, task, type: 'sink' as const, state }))),
      ],
      sinkLags: () => reconciler.sinkNames().flatMap((connector) => (reconciler.sink(connector)?.runtime.lagReports() ?? []).map((report) => ({ connector, ...report }))),
      log,
    });
    const producerOptions = {
      brokers: env.KAFKA_BROKERS,
      deliveryTimeoutMs: env.INLET_DELIVERY_TIMEOUT_MS,
      queueMaxMessages: env.INLET_PRODUCER_QUEUE_MAX_MESSAGES,
      lingerMs: env.INLET_PRODUCER_LINGER_MS,
      log,
    };
    const producer = await KafkaProducer.connect({ ...producerOptions, meter: metrics.producer('idempotent') });
    // Kafka Connect's config, status and offsets storage topics, one set per cluster.
    const group = env.INLET_GROUP_ID;
    const [offsets, configs, statuses] = await Promise.all([
      SourceOffsetStore.open(env.KAFKA_BROKERS, `${group}-offsets`, producer, log),
      ConfigStore.open(env.KAFKA_BROKERS, `${group}-configs`, producer, log),
      StatusStore.open(env.KAFKA_BROKERS, `${group}-status`, producer, log),
    ]);
    // Connects on first use; the id is stable per worker so a restart fences the old incarnation.
    // Each transaction also writes the source offsets its records advance.
    const transactional = new TransactionalProducer<SourceRecord>(
      {
        ...producerOptions,
        meter: metrics.producer('transactional'),
        clientId: 'inlet-eos-producer',
        transactionalId: `${group}-${id}`,
        transactionTimeoutMs: 10_000,
        beforeCommit: options.beforeSourceCommit,
      },
      (records) => offsetRecords(`${group}-offsets`, records, (record) => record.headers[SOURCE_HEADERS.connector] ?? ''),
    );
    const writer = new SourceRecordSender(producer, {
      transactional,
      inflight: { maxRecords: env.INLET_MAX_INFLIGHT_RECORDS, maxBytes: env.INLET_MAX_INFLIGHT_BYTES },
      onOffset: (connector, partition, offset) => offsets.set(connector, partition, offset),
      // The reconciler follows each source's topics; ingest starts only after it exists.
      cluster: {
        caughtUp: (connector) =>
          reconciler.caughtUp(connector).catch((error: Error) => {
            // Nothing was produced, so no delivery timeout tells the producer that Kafka is gone.
            producer.suspectUnreachable(error.message);
            throw error;
          }),
        readable: (connector, records) => reconciler.readable(connector, records),
      },
    });
    const reconciler = new ConnectorReconciler({
      configs,
      offsets,
      writer,
      ensureTopics: (topics) => ensureTopics(env.KAFKA_BROKERS, topics, log),
      follow: (source, signal) => SourceTail.start({ brokers: env.KAFKA_BROKERS, source, writer, timeoutMs: env.INLET_DELIVERY_TIMEOUT_MS, log, signal }),
      sinkConnector: (name, config, properties) =>
        new SinkConnectorRuntime(name, config, {
          brokers: env.KAFKA_BROKERS,
          // Dead letters are written with the worker's producer.
          producer,
          // The parsed config drops Connect's transforms.* keys: the chain reads the raw ones.
          transforms: buildTransformChain(properties),
          cluster: env.INLET_GROUP_ID,
          workerId: id,
          defaultDbUrl: env.INLET_DB_URL,
          migrationsDir: env.INLET_MIGRATIONS_DIR,
          sessionTimeoutMs: env.INLET_CONSUMER_SESSION_TIMEOUT_MS,
          maxPollIntervalMs: env.INLET_CONSUMER_MAX_POLL_INTERVAL_MS,
          runsTasks: env.INLET_SINK_TASKS,
          statuses,
          afterDbCommit: options.afterDbCommit,
          meter: metrics.sink(name),
          replayBatchRecords: env.INLET_DLQ_REPLAY_BATCH_RECORDS,
          log: log.child({ connector: name }),
        }),
      secretsResolved: (config) => options.secrets?.add(secretValuesOf(config)),
      log,
    });
    const worker = new Worker(options, producer, transactional, offsets, configs, statuses, writer, reconciler, metrics, id, log);
    for (const { name, properties } of options.seed ?? []) {
      if (JSON.stringify(configs.properties(name)) !== JSON.stringify(properties)) await configs.put(name, properties);
    }
    return worker;
  }

  /** Starts every stored connector (a source restores its dedupe window first); the app answers meanwhile. */
  async startConnectors(): Promise<void> {
    this.rates.start();
    await this.reconciler.start();
    // A drain during start has closed the stores by now.
    if (this.draining) return;
    this.offsets.startFlushing();
    this.started = true;
  }

  /**
   * Why this worker should not be sent traffic now, for `/ready`; empty when ready. Not cached: each
   * probe asks Kafka's state and every sink's database afresh, each database for at most
   * PROBE_TIMEOUT_MS, so a hung one makes the answer 503, not a hung probe.
   */
  async notReady(): Promise<NotReadyReason[]> {
    const reasons: NotReadyReason[] = [];
    const [kafka, sinks] = await Promise.all([
      this.producer.available() && this.producer.answers(PROBE_TIMEOUT_MS),
      Promise.all(
        this.reconciler.sinkNames().map(async (connector) => {
          const reason = await this.reconciler.sink(connector)?.runtime.unready(PROBE_TIMEOUT_MS);
          return reason === undefined ? [] : [{ connector, reason }];
        }),
      ),
    ]);
    if (!kafka) {
      // Ingest is refused too, and the producer's own probing (not this one's) finds a broker again.
      if (this.producer.available()) this.producer.suspectUnreachable(`no metadata within ${PROBE_TIMEOUT_MS} ms (readiness probe)`);
      reasons.push({ component: 'kafka', reason: 'unreachable' });
    }
    if (this.draining) reasons.push({ component: 'worker', reason: 'shutting down' });
    return [...reasons, ...this.reconciler.pendingConnectors(), ...sinks.flat()];
  }

  app() {
    const herder = new WorkerHerder({
      workerId: this.id,
      version: VERSION,
      configs: this.configs,
      statuses: this.statuses,
      offsets: this.offsets,
      reconciler: this.reconciler,
      envAllowlisted: envAllowlist(this.options.env.INLET_CONFIG_ENV_ALLOWLIST),
      dataDir: this.options.env.INLET_DATA_DIR,
      brokers: this.options.env.KAFKA_BROKERS,
      log: this.log,
    });
    return createApp({
      version: VERSION,
      herder,
      apiToken: this.options.env.INLET_API_TOKEN,
      pending: (name) => this.reconciler.pendingReason(name),
      source: (name) => {
        const running = this.reconciler.source(name);
        return running && { connector: running.source, accepting: running.state === 'STARTED' };
      },
      writer: this.writer,
      defaultMaxBodyBytes: this.options.env.INLET_MAX_BODY_BYTES,
      maxReadingBytes: this.options.env.INLET_MAX_READING_BYTES,
      requestTimeoutMs: this.options.env.INLET_REQUEST_TIMEOUT_MS,
      metrics: this.metrics,
      scrape: () => this.metrics.scrape(),
      rates: () => this.rates.samples(),
      kafkaAvailable: () => this.producer.available(),
      started: () => this.started,
      notReady: () => this.notReady(),
      draining: () => this.draining,
      log: this.log,
    });
  }

  /** From now on ingest answers 503; requests already inside go on. */
  drain(): void {
    this.draining = true;
  }

  /** Drains, stops sink tasks (their batches commit), flushes offsets, closes connections. */
  async close(): Promise<void> {
    this.drain();
    this.rates.stop();
    await this.reconciler.stop();
    await this.transactional.close();
    await this.offsets.close();
    await Promise.all([this.configs.close(), this.statuses.close()]);
    await this.producer.close();
  }
}
