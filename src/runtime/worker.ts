import { hostname } from 'node:os';
import { isSinkConfig, isSourceConfig, type Connector, type DatabaseSinkConfig, type SourceConfig, type WorkerEnv } from '../config/index.ts';
import { openSinkStore, type SinkStore } from '../db/index.ts';
import { createApp, type ConnectorView } from '../http/index.ts';
import { ensureTopics, KafkaRecordWriter } from '../kafka/index.ts';
import { SinkTask } from '../sink/index.ts';
import { createSourceConnector, SourceWriter, type SourceConnector } from '../source/index.ts';
import { Counters } from './metrics.ts';
import { SourceOffsetStore } from './offset-store.ts';
import { restoreSources } from './restore-sources.ts';

export const VERSION = '0.1.0';

export interface WorkerOptions {
  env: WorkerEnv;
  connectors: readonly Connector[];
  /** Fault injection for tests: runs after every sink transaction, before the Kafka commit. */
  afterDbCommit?: () => void;
  log?: (message: string) => void;
}

interface RunningSink {
  name: string;
  config: DatabaseSinkConfig;
  store: SinkStore;
  tasks: SinkTask[];
}

/**
 * A worker: the producer behind ingest, the sink tasks of every sink connector, and the HTTP
 * app. `close()` drains: ingest is refused, in-flight writes finish, sinks commit and stop.
 */
export class Worker {
  readonly id: string;
  readonly counters = new Counters();
  private draining = false;
  private readonly writer: SourceWriter;

  private constructor(
    private readonly options: WorkerOptions,
    private readonly producer: KafkaRecordWriter,
    private readonly offsets: SourceOffsetStore,
    private readonly sources: Map<string, { source: SourceConnector; config: SourceConfig }>,
    private readonly sinks: RunningSink[],
  ) {
    this.writer = new SourceWriter(producer, {
      inflight: { maxRecords: options.env.INLET_MAX_INFLIGHT_RECORDS, maxBytes: options.env.INLET_MAX_INFLIGHT_BYTES },
      onOffset: (connector, partition, offset) => offsets.set(connector, partition, offset),
    });
    this.id = `${hostname()}:${options.env.INLET_PORT}`;
    this.counters.define('inlet_ingest_records_total', 'Records accepted by ingest, by connector and result.');
    this.counters.define('inlet_sink_records_total', 'Records applied to the database by sink tasks.');
  }

  static async start(options: WorkerOptions): Promise<Worker> {
    const { env } = options;
    const log = options.log ?? console.error;
    const sourceEntries = options.connectors.filter((c): c is Connector & { config: SourceConfig } => isSourceConfig(c.config));
    const sinkEntries = options.connectors.filter((c): c is Connector & { config: DatabaseSinkConfig } => isSinkConfig(c.config));
    const sources = new Map(sourceEntries.map((c) => [c.name, { source: createSourceConnector(c.name, c.config), config: c.config }]));
    await ensureTopics(
      env.KAFKA_BROKERS,
      [...sources.values()].flatMap(({ source, config }) =>
        source.topics.map((name) => ({ name, partitions: config['topic.creation.default.partitions'] })),
      ),
    );
    const producer = await KafkaRecordWriter.connect({
      brokers: env.KAFKA_BROKERS,
      deliveryTimeoutMs: env.INLET_DELIVERY_TIMEOUT_MS,
      queueMaxMessages: env.INLET_PRODUCER_QUEUE_MAX_MESSAGES,
      log,
    });
    const offsets = new SourceOffsetStore(env.KAFKA_BROKERS, producer, log);
    await offsets.load();
    const sinks: RunningSink[] = [];
    for (const c of sinkEntries) {
      sinks.push({ name: c.name, config: c.config, store: await openSinkStore(c.config['connection.url'] ?? env.INLET_DB_URL), tasks: [] });
    }
    const worker = new Worker(options, producer, offsets, sources, sinks);
    const { restored } = await restoreSources(env.KAFKA_BROKERS, [...sources.values()].map((s) => s.source), worker.writer, offsets);
    if (restored > 0) log(`restored ${restored} recent source offsets for duplicate detection`);
    offsets.startFlushing();
    await worker.startSinkTasks();
    return worker;
  }

  private async startSinkTasks(): Promise<void> {
    for (const sink of this.sinks) {
      for (let taskId = 0; taskId < sink.config['tasks.max']; taskId++) {
        const task = new SinkTask({
          connector: sink.name,
          taskId,
          config: sink.config,
          store: sink.store,
          brokers: this.options.env.KAFKA_BROKERS,
          workerId: this.id,
          sessionTimeoutMs: this.options.env.INLET_CONSUMER_SESSION_TIMEOUT_MS,
          afterDbCommit: this.options.afterDbCommit,
          onApplied: (n) => this.counters.add('inlet_sink_records_total', { connector: sink.name }, n),
          log: this.options.log,
        });
        sink.tasks.push(task);
        await task.start();
      }
    }
  }

  app() {
    return createApp({
      version: VERSION,
      sources: new Map([...this.sources].map(([name, { source }]) => [name, source])),
      writer: this.writer,
      defaultMaxBodyBytes: this.options.env.INLET_MAX_BODY_BYTES,
      onIngested: (connector, accepted, duplicates) => {
        this.counters.add('inlet_ingest_records_total', { connector, result: 'accepted' }, accepted);
        this.counters.add('inlet_ingest_records_total', { connector, result: 'duplicate' }, duplicates);
      },
      connectors: () => this.connectorViews(),
      metrics: () => this.counters.render(),
      kafkaAvailable: () => this.producer.available(),
      sourceOffsets: (name) =>
        this.sources.has(name)
          ? this.offsets.entries(name).map(([partition, offset]) => ({ partition: { partition }, offset: { offset } }))
          : undefined,
      draining: () => this.draining,
    });
  }

  private connectorViews(): ConnectorView[] {
    const sources: ConnectorView[] = [...this.sources].map(([name, { config }]) => ({
      name,
      type: 'source',
      config,
      tasks: [{ id: 0, state: this.producer.available() ? 'RUNNING' : 'UNASSIGNED', worker_id: this.id }],
    }));
    const sinks: ConnectorView[] = this.sinks.map((s) => ({
      name: s.name,
      type: 'sink',
      config: s.config,
      tasks: s.tasks.map((t) => ({ ...t.status(), worker_id: this.id })),
    }));
    return [...sources, ...sinks];
  }

  /** From now on ingest answers 503; requests already inside go on. */
  drain(): void {
    this.draining = true;
  }

  /** Drains, waits for queued records to be acknowledged, then stops sinks and closes connections. */
  async close(): Promise<void> {
    this.drain();
    await this.offsets.close();
    await this.producer.close();
    for (const sink of this.sinks) {
      await Promise.all(sink.tasks.map((t) => t.stop().catch(() => {})));
      await sink.store.close();
    }
  }
}
