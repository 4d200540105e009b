import {
  checkConnectorConfig,
  checkConnectorName,
  connectorPlugins,
  formatIssues,
  keepStoredValues,
  restEnvAccess,
  shownValue,
  validateConnectorConfig,
  type FieldIssue,
} from '../config/index.ts';
import { sqliteOutsideDataDir } from '../db/drivers/index.ts';
import { AlreadyExistsError, BadRequestError, InvalidConfigError, NotFoundError } from '../errors/index.ts';
import {
  type Herder,
  type ConnectorInfo,
  type ConnectorStatusView,
  type OffsetEntry,
  type RecordsFollow,
  type RecordsFrom,
  type TargetState,
  type TopicRecordView,
  type TaskStatusView,
} from '../http/index.ts';
import { transformKeyIssues } from '../transforms/index.ts';
import type { ConfigStore } from './config-store.ts';
import type { ConnectorReconciler } from './reconciler.ts';
import type { SourceOffsetStore } from './offset-store.ts';
import type { StatusStore } from './status-store.ts';
import { followTopicRecords, newestRecords } from './topic-records.ts';
import type { Log } from '../log/index.ts';

export interface WorkerHerderDeps {
  workerId: string;
  version: string;
  configs: ConfigStore;
  statuses: StatusStore;
  offsets: SourceOffsetStore;
  reconciler: ConnectorReconciler;
  /** Variables a config sent through the API may read with `${env:…}` (INLET_CONFIG_ENV_ALLOWLIST). */
  envAllowlisted: (variable: string) => boolean;
  /** Where SQLite files named by a config sent through the API must lie (INLET_DATA_DIR). */
  dataDir: string;
  /** Where the records and dead-letter routes read from. */
  brokers: string;
  log: Log;
}

const PLUGINS = connectorPlugins();
const typeOf = (properties: Record<string, unknown>) =>
  PLUGINS.find((p) => p.class === properties['connector.class'])?.type ?? 'source';

/** Connect's config maps hold strings; lists are comma-separated, secrets and URL passwords hidden. */
function stringMap(name: string, properties: Record<string, unknown>): Record<string, string> {
  const view: Record<string, string> = { name };
  for (const [key, value] of Object.entries(properties)) {
    const shown = shownValue(key, value);
    if (shown !== undefined) view[key] = shown;
  }
  return view;
}

/** The REST API's view of the cluster: writes go to the config topic, reads come from it. */
export class WorkerHerder implements Herder {
  constructor(private readonly deps: WorkerHerderDeps) {}

  names(): string[] {
    return this.deps.configs.names();
  }

  private tasksMax(name: string, properties: Record<string, unknown>): number {
    if (typeOf(properties) === 'source') return 1;
    return this.deps.reconciler.sink(name)?.config['tasks.max'] ?? Math.max(1, Number(properties['tasks.max'] ?? 1) || 1);
  }

  info(name: string): ConnectorInfo | undefined {
    const properties = this.deps.configs.properties(name);
    if (!properties) return undefined;
    const tasks = Array.from({ length: this.tasksMax(name, properties) }, (_, task) => ({ connector: name, task }));
    return { name, config: stringMap(name, properties), tasks, type: typeOf(properties) };
  }

  status(name: string): ConnectorStatusView | undefined {
    const properties = this.deps.configs.properties(name);
    if (!properties) return undefined;
    const target = this.deps.configs.targetState(name);
    const failure = this.deps.reconciler.failure(name);
    const type = typeOf(properties);
    // A source is RUNNING here only once it takes pushes here.
    const running = (type === 'source' && this.deps.reconciler.startingState(name)) || 'RUNNING';
    const state = failure ? 'FAILED' : target === 'STARTED' ? running : target;
    const connector = { state, worker_id: this.deps.workerId, ...(failure ? { trace: failure } : {}) };
    if (target === 'STOPPED') return { name, connector, tasks: [], type };
    let tasks: TaskStatusView[];
    if (type === 'source') {
      tasks = [{ id: 0, state: this.deps.reconciler.sourceTaskState(name) ?? 'UNASSIGNED', worker_id: this.deps.workerId }];
    } else {
      tasks = Array.from({ length: this.tasksMax(name, properties) }, (_, id) => {
        const status = this.deps.statuses.task(name, id);
        return status ? { id, ...status } : { id, state: 'UNASSIGNED', worker_id: '' };
      });
    }
    return { name, connector, tasks, type };
  }

  /** Where a `connection.url` the request sets would open a SQLite file outside the data folder. */
  private dataDirIssues(url: unknown): FieldIssue[] {
    const problem = typeof url === 'string' ? sqliteOutsideDataDir(url, this.deps.dataDir) : undefined;
    return problem ? [{ path: 'connection.url', message: problem }] : [];
  }

  /**
   * The properties to store for a config the API received: values sent back as GET shows them keep
   * the stored ones (`stored`), and what the request sets may read only allowlisted variables and
   * open SQLite files only in the data folder. The config topic itself is the operator's, trusted.
   */
  private checked(name: string, config: Record<string, unknown>, stored?: Record<string, unknown>): Record<string, unknown> {
    const nameIssues = checkConnectorName(name);
    if (nameIssues.length > 0) throw new InvalidConfigError(formatIssues(nameIssues));
    const { name: _, ...requested } = config;
    const { properties, given, issues } = keepStoredValues(requested, stored);
    if (given.has('connection.url')) issues.push(...this.dataDirIssues(properties['connection.url']));
    if (issues.length > 0) throw new InvalidConfigError(`Connector configuration is invalid: ${formatIssues(issues)}`);
    const check = checkConnectorConfig(properties, undefined, restEnvAccess(given, this.deps.envAllowlisted), transformKeyIssues);
    if (!check.ok) throw new InvalidConfigError(`Connector configuration is invalid: ${formatIssues(check.issues)}`);
    return properties;
  }

  async create(name: string, config: Record<string, unknown>, initialState?: TargetState): Promise<ConnectorInfo> {
    const properties = this.checked(name, config);
    const exists = () => new AlreadyExistsError(`Connector ${name} already exists`);
    if (this.deps.configs.properties(name)) throw exists();
    // The config topic's order decides between workers creating the same name at once.
    if (!(await this.deps.configs.create(name, properties, initialState ?? 'STARTED'))) throw exists();
    await this.deps.reconciler.settled();
    return this.info(name)!;
  }

  async putConfig(name: string, config: Record<string, unknown>) {
    const stored = this.deps.configs.properties(name);
    const properties = this.checked(name, config, stored);
    await this.deps.configs.put(name, properties);
    await this.deps.reconciler.settled();
    return { created: !stored, info: this.info(name)! };
  }

  async patchConfig(name: string, patch: Record<string, unknown>): Promise<ConnectorInfo> {
    const stored = this.deps.configs.properties(name);
    if (!stored) throw new NotFoundError(`Connector ${name} not found`);
    // Merged into the stored config, not into what GET shows: secrets the patch leaves alone stay.
    const merged: Record<string, unknown> = { ...stored };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    return (await this.putConfig(name, merged)).info;
  }

  async remove(name: string): Promise<void> {
    const properties = this.deps.configs.properties(name);
    await this.deps.configs.delete(name);
    await this.deps.reconciler.settled();
    if (properties) await this.deps.statuses.forget(name, this.tasksMax(name, properties));
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.deps.configs.setTargetState(name, state);
    await this.deps.reconciler.settled();
  }

  async restart(name: string, options: { includeTasks: boolean; onlyFailed: boolean; task?: number }): Promise<ConnectorStatusView> {
    const before = this.status(name);
    if (!before) throw new NotFoundError(`Connector ${name} not found`);
    const restarts = (state: string) => !options.onlyFailed || state === 'FAILED';
    const planned: ConnectorStatusView = {
      ...before,
      connector: options.task === undefined && restarts(before.connector.state) ? { ...before.connector, state: 'RESTARTING' } : before.connector,
      tasks: before.tasks.map((task) =>
        (options.task === undefined ? options.includeTasks && restarts(task.state) : task.id === options.task) ? { ...task, state: 'RESTARTING' } : task,
      ),
    };
    await this.deps.configs.requestRestart(name, { id: crypto.randomUUID(), ...options });
    await this.deps.reconciler.settled();
    return planned;
  }

  async offsets(name: string): Promise<OffsetEntry[]> {
    const sink = this.deps.reconciler.sink(name);
    if (!sink) {
      return this.deps.offsets.entries(name).map(([partition, offset]) => ({ partition: { partition }, offset: { offset } }));
    }
    const stored = await sink.runtime.storedOffsets();
    return [...stored].map(([key, next]) => {
      const at = key.lastIndexOf('/');
      return { partition: { kafka_topic: key.slice(0, at), kafka_partition: Number(key.slice(at + 1)) }, offset: { kafka_offset: next } };
    });
  }

  private requireStopped(name: string): void {
    if (this.deps.configs.targetState(name) !== 'STOPPED') {
      throw new BadRequestError('Connectors must be in the STOPPED state before their offsets can be modified');
    }
  }

  /**
   * Offsets a source can take: only where a stored position decides what is already written
   * (a source with an offset order). The sources Inlet has recognise a retried push by the exact
   * source offset of each record written within `dedupe.window.ms`; their stored offset is the
   * last one written, which decides nothing, so changing it would answer success and do nothing.
   */
  private requireAlterableSource(name: string): void {
    const running = this.deps.reconciler.source(name);
    if (running?.source.offsetOrder) return;
    const kind = String(this.deps.configs.properties(name)?.['connector.class'] ?? 'source');
    throw new BadRequestError(
      `The offsets of connector ${name} cannot be altered or reset: a ${kind} source recognises a retried push by the exact source offset of each record it wrote within dedupe.window.ms, not by a stored position, so no offset decides what it treats as already written`,
    );
  }

  async alterOffsets(name: string, entries: OffsetEntry[]): Promise<void> {
    if (typeOf(this.deps.configs.properties(name) ?? {}) === 'source') this.requireAlterableSource(name);
    this.requireStopped(name);
    const sink = this.deps.reconciler.sink(name);
    if (sink) {
      const positions = entries.map((e) => {
        const topic = e.partition.kafka_topic;
        const partition = Number(e.partition.kafka_partition);
        const next = e.offset === null ? 0 : Number(e.offset.kafka_offset);
        if (typeof topic !== 'string' || !Number.isInteger(partition) || !Number.isInteger(next) || next < 0) {
          throw new BadRequestError('sink offsets look like {"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 42}}');
        }
        return { topic, partition, nextOffset: next };
      });
      await sink.runtime.writeOffsets(positions);
      return;
    }
    for (const entry of entries) {
      const partition = entry.partition.partition;
      if (typeof partition !== 'string') throw new BadRequestError('source offsets look like {"partition": {"partition": "p"}, "offset": {"offset": "o"}}');
      if (entry.offset === null) this.deps.offsets.remove(name, partition);
      else this.deps.offsets.set(name, partition, String(entry.offset.offset));
    }
    await this.deps.offsets.flush();
  }

  async resetOffsets(name: string): Promise<void> {
    if (typeOf(this.deps.configs.properties(name) ?? {}) === 'source') this.requireAlterableSource(name);
    this.requireStopped(name);
    const current = await this.offsets(name);
    await this.alterOffsets(name, current.map((entry) => ({ partition: entry.partition, offset: null })));
  }

  topics(name: string): string[] {
    const sink = this.deps.reconciler.sink(name);
    if (sink) return [...sink.config.topics];
    return [...(this.deps.reconciler.source(name)?.source.topics ?? [])];
  }

  async replayDeadLetters(name: string, throughOffset?: number) {
    const sink = this.deps.reconciler.sink(name);
    if (!sink) throw new BadRequestError(`${name} is not a sink connector running in this cluster`);
    if (!sink.config['errors.deadletterqueue.topic.name']) throw new BadRequestError(`${name} has no errors.deadletterqueue.topic.name`);
    return sink.runtime.replayDeadLetters(throughOffset);
  }

  followRecords(name: string, from: RecordsFrom, onRecord: (record: TopicRecordView) => void): Promise<RecordsFollow> {
    return followTopicRecords(this.deps.brokers, this.topics(name), from, onRecord, this.deps.log.child({ connector: name }));
  }

  async deadLetterReplayPositions(name: string): Promise<Map<number, number>> {
    const sink = this.deps.reconciler.sink(name);
    const topic = sink?.config['errors.deadletterqueue.topic.name'];
    if (!sink || !topic) return new Map();
    return sink.runtime.replayPositions(topic);
  }

  latestRecords(name: string, limit: number): Promise<TopicRecordView[]> {
    return newestRecords(this.deps.brokers, this.topics(name), limit, this.deps.log.child({ connector: name }));
  }

  async deadLetters(name: string, limit: number): Promise<TopicRecordView[]> {
    const sink = this.deps.reconciler.sink(name);
    if (!sink) throw new BadRequestError(`${name} is not a sink connector running in this cluster`);
    const topic = sink.config['errors.deadletterqueue.topic.name'];
    if (!topic) throw new BadRequestError(`${name} has no errors.deadletterqueue.topic.name`);
    return newestRecords(this.deps.brokers, [topic], limit, this.deps.log.child({ connector: name }));
  }

  plugins() {
    return PLUGINS.map((p) => ({ ...p, version: this.deps.version }));
  }

  validate(pluginClass: string, config: Record<string, unknown>) {
    // Nothing is stored behind a config being validated: every value is the request's own.
    const report = validateConnectorConfig(pluginClass, config, undefined, this.deps.envAllowlisted, transformKeyIssues);
    const url = report?.find((entry) => entry.name === 'connection.url');
    if (url) url.errors.push(...this.dataDirIssues(config['connection.url']).map((issue) => issue.message));
    return report;
  }
}
