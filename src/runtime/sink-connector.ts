import type { DatabaseSinkConfig } from '../config/index.ts';
import { openSinkStore } from '../db/drivers/index.ts';
import type { SinkStore } from '../db/index.ts';
import { ensurePartitions, ensureTopics, GroupMembership, PartitionEndsReader, partitionKey, topicPartitions } from '../kafka/index.ts';
import type { RecordProducer } from '../records/index.ts';
import { replayConnector, replayDeadLetters, type ReplayResult } from './dead-letter-replay.ts';
import { WorkerSinkTask, type PartitionLag, type TaskState } from './worker-sink-task.ts';
import type { Transformation } from '../records/index.ts';
import type { RestartRequest } from './config-store.ts';
import { causeChain, errorTrace } from '../errors/index.ts';
import type { StatusStore } from './status-store.ts';
import type { SinkMeter } from '../metrics/index.ts';
import type { Log } from '../log/index.ts';

export interface SinkConnectorDeps {
  brokers: string;
  /** Dead-lettered records are written with it. */
  producer: RecordProducer;
  transforms?: Transformation;
  /** The worker cluster (INLET_GROUP_ID): names the slot topic and group. */
  cluster: string;
  workerId: string;
  defaultDbUrl: string;
  /** INLET_MIGRATIONS_DIR. */
  migrationsDir?: string;
  sessionTimeoutMs: number;
  maxPollIntervalMs?: number;
  /** False on a worker that takes no sink tasks (INLET_SINK_TASKS=false): it never joins the slot group. */
  runsTasks: boolean;
  statuses: StatusStore;
  afterDbCommit?: () => void;
  meter?: SinkMeter;
  /** Most dead letters a replay reads into memory at once (INLET_DLQ_REPLAY_BATCH_RECORDS). */
  replayBatchRecords?: number;
  /** The connector's logger: its lines carry `connector`. */
  log: Log;
}


/** A driver error's code (ECONNREFUSED, a SQLSTATE), which says what failed and nothing secret. */
function errorCode(error: unknown): string {
  // Drizzle wraps the driver's error, which carries the code.
  for (const e of causeChain(error)) {
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    if (typeof code === 'string') return ` (${code})`;
  }
  return '';
}

/**
 * One sink connector on one worker: membership in the connector's slot group, and a sink task
 * for every slot Kafka assigns here. Work is serialized so assignments, pauses and restarts
 * never interleave.
 */
export class SinkConnectorRuntime {
  private store: SinkStore | undefined;
  private slots: GroupMembership | undefined;
  private readonly tasks = new Map<number, WorkerSinkTask>();
  private paused = false;
  /** Reads a paused connector's log ends for its lag; closed once it runs or stops again. */
  private pausedEnds: PartitionEndsReader | undefined;
  /** Why the connector could not start on this worker (its database unreachable, say). */
  failure: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly config: DatabaseSinkConfig,
    private readonly deps: SinkConnectorDeps,
  ) {}

  private serially(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: Error) => this.deps.log.error({ err: error }, `${this.name}: ${error.message}`));
    return this.queue;
  }

  /** Joins the slot group (STARTED or PAUSED); a PAUSED connector owns slots but runs no task. */
  start(paused: boolean): Promise<void> {
    return this.serially(async () => {
      this.paused = paused;
      if (!paused) await this.closePausedEnds();
      if (!this.deps.runsTasks) return;
      try {
        await this.join(paused);
        this.failure = undefined;
      } catch (error) {
        // The connector FAILED here until a restart finds the cause fixed (Connect does not retry it either).
        this.failure = `cannot start: ${errorTrace(error)}`;
        await this.slots?.leave().catch(() => {});
        this.slots = undefined;
        throw error;
      }
    });
  }

  private async join(paused: boolean): Promise<void> {
    this.store ??= await this.openStore();
    if (this.slots) {
      for (const id of this.slots.partitions) await (paused ? this.stopTask(id, 'PAUSED') : this.startTask(id));
      return;
    }
    // Each partition of this topic is one task slot; it never holds records.
    const topic = `${this.deps.cluster}-tasks.${this.name}`;
    await ensureTopics(this.deps.brokers, [{ name: topic, partitions: this.config['tasks.max'] }], this.deps.log);
    await ensurePartitions(this.deps.brokers, topic, this.config['tasks.max'], this.deps.log);
    this.slots = new GroupMembership({
      brokers: this.deps.brokers,
      groupId: `${this.deps.cluster}-slots.${this.name}`,
      clientId: `${this.name}-slots-${this.deps.workerId}`,
      topic,
      sessionTimeoutMs: this.deps.sessionTimeoutMs,
      onAssigned: (ids) => void this.serially(async () => {
        for (const id of ids) if (!this.paused) await this.startTask(id);
      }),
      onRevoked: (ids) => void this.serially(async () => {
        for (const id of ids) await this.stopTask(id, null);
      }),
      log: this.deps.log,
    });
    await this.slots.join();
  }

  /** Leaves the slot group and stops every task (STOPPED, or the connector deleted/reconfigured). */
  stop(state: 'STOPPED' | null): Promise<void> {
    return this.serially(async () => {
      const slots = this.slots;
      this.slots = undefined;
      this.failure = undefined;
      for (const id of [...this.tasks.keys()]) await this.stopTask(id, state);
      await slots?.leave();
      await this.closePausedEnds();
      await this.store?.close();
      this.store = undefined;
    });
  }

  private async closePausedEnds(): Promise<void> {
    const reader = this.pausedEnds;
    this.pausedEnds = undefined;
    await reader?.close();
  }

  /** Restarts this worker's tasks the request names (the herder restarts the connector itself). */
  restartTasks(request: Pick<RestartRequest, 'onlyFailed' | 'task'>): Promise<void> {
    return this.serially(async () => {
      for (const [id, task] of [...this.tasks]) {
        if (request.task !== undefined && request.task !== id) continue;
        if (request.onlyFailed && task.status().state !== 'FAILED') continue;
        await this.stopTask(id, null);
        if (!this.paused) await this.startTask(id);
      }
    });
  }

  private async startTask(id: number): Promise<void> {
    if (this.tasks.has(id) || !this.store || id >= this.config['tasks.max']) return;
    const task = new WorkerSinkTask({
      connector: this.name,
      taskId: id,
      config: this.config,
      store: this.store,
      brokers: this.deps.brokers,
      workerId: this.deps.workerId,
      sessionTimeoutMs: this.deps.sessionTimeoutMs,
      maxPollIntervalMs: this.deps.maxPollIntervalMs,
      writer: this.deps.producer,
      transforms: this.deps.transforms,
      afterDbCommit: this.deps.afterDbCommit,
      meter: this.deps.meter,
      log: this.deps.log,
    });
    this.tasks.set(id, task);
    try {
      await task.start();
    } catch (error) {
      this.deps.log.error({ task: id }, `${this.name} task ${id} failed to start: ${(error as Error).message}`);
    }
    await this.publish(id);
  }

  private async stopTask(id: number, reportAs: TaskState | null): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) return;
    this.tasks.delete(id);
    await task.stop().catch(() => {});
    if (reportAs) await this.deps.statuses.publish(this.name, id, { state: reportAs, worker_id: this.deps.workerId });
  }

  /** Reports the state of one local task, or of all of them. */
  async publish(only?: number): Promise<void> {
    for (const [id, task] of this.tasks) {
      if (only !== undefined && id !== only) continue;
      const { state, trace } = task.status();
      await this.deps.statuses
        .publish(this.name, id, { state, worker_id: this.deps.workerId, ...(trace ? { trace } : {}) })
        .catch((error: Error) => this.deps.log.warn(`${this.name}: publishing status failed: ${error.message}`));
    }
  }

  /**
   * Why this connector cannot do its work here now, for the readiness probe: it failed to start, or
   * its database did not answer `SELECT 1` within `timeoutMs` (a hung server is as unready as a
   * stopped one). Undefined when it answers, or when this worker needs no database for it (it
   * takes no sink tasks, or the connector is STOPPED).
   */
  async unready(timeoutMs: number): Promise<string | undefined> {
    // The probe answers without a token: causes (driver messages may name hosts and users) stay in
    // the connector's status, behind the REST API's.
    if (this.failure) return 'failed to start on this worker (see its status)';
    const store = this.store;
    if (!store) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`database did not answer within ${timeoutMs} ms`), timeoutMs)));
    const answered = store.ping().then(
      () => undefined,
      (error: unknown) => `database not answering${errorCode(error)}`,
    );
    return Promise.race([answered, late]).finally(() => clearTimeout(timer));
  }

  /**
   * The state of each task this worker holds: its running tasks', and while the connector is
   * PAUSED, PAUSED for each task slot it owns (their tasks are stopped, the slots kept).
   */
  taskStates(): [task: number, state: TaskState][] {
    if (this.paused) return (this.slots?.partitions ?? []).filter((id) => id < this.config['tasks.max']).map((id) => [id, 'PAUSED']);
    return [...this.tasks].map(([id, task]) => [id, task.status().state]);
  }

  /**
   * What this worker reports of the connector's lag, per task: each running task's partitions.
   * A PAUSED connector has no consumer to assign partitions, and its records still pile up: the
   * worker holding task 0's slot reports every partition of its topics, read from Kafka's
   * watermarks and the positions stored in the database.
   */
  lagReports(): { task: number; lag(timeoutMs: number): Promise<PartitionLag[]> }[] {
    if (!this.paused) return [...this.tasks].map(([task, running]) => ({ task, lag: (timeoutMs: number) => running.lag(timeoutMs) }));
    const store = this.store;
    if (!store || !this.slots?.partitions.includes(0)) return [];
    return [
      {
        task: 0,
        lag: async (timeoutMs) => {
          // Resumed or stopped since the report was asked for: no reader to make (or leave open).
          if (!this.paused || !this.slots) return [];
          const reader = (this.pausedEnds ??= new PartitionEndsReader(this.deps.brokers, this.deps.log));
          const ends = await reader.read(this.config.topics, timeoutMs);
          const stored = await store.readOffsets(this.name, ends);
          return ends.map(({ topic, partition, low, high }) => ({ topic, partition, records: Math.max(0, high - (stored.get(partitionKey({ topic, partition })) ?? low)) }));
        },
      },
    ];
  }

  /** Applies the connector's dead letters again (after their cause was fixed), exactly once. */
  async replayDeadLetters(throughOffset?: number): Promise<ReplayResult> {
    return this.withStore((store) =>
      replayDeadLetters({
        brokers: this.deps.brokers,
        connector: this.name,
        config: this.config,
        store,
        transforms: this.deps.transforms,
        throughOffset,
        batchSize: this.deps.replayBatchRecords,
        log: this.deps.log,
        onBatch: (letters) => this.deps.log.info(`${this.name}: dead letter replay read a batch of ${letters}`),
      }),
    );
  }

  /** How far the dead-letter replay has got in each partition of `topic` (the next letter it applies; 0 before any). */
  async replayPositions(topic: string): Promise<Map<number, number>> {
    const partitions = (await topicPartitions(this.deps.brokers, [topic], this.deps.log)).get(topic) ?? [];
    const stored = await this.withStore((store) => store.readOffsets(replayConnector(this.name), partitions.map((partition) => ({ topic, partition }))));
    return new Map(partitions.map((partition) => [partition, stored.get(`${topic}/${partition}`) ?? 0]));
  }

  /** Sets stored positions (the offsets API, while the connector is STOPPED): an empty transaction. */
  async writeOffsets(positions: { topic: string; partition: number; nextOffset: number }[]): Promise<void> {
    await this.withStore((store) => store.commitBatch(this.name, [], positions));
  }

  /** The database positions of every partition this connector has applied, for the offsets API. */
  async storedOffsets(): Promise<Map<string, number>> {
    const partitions = [...(await topicPartitions(this.deps.brokers, this.config.topics, this.deps.log))].flatMap(([topic, ids]) =>
      ids.map((partition) => ({ topic, partition })),
    );
    return this.withStore((store) => store.readOffsets(this.name, partitions));
  }

  private openStore(): Promise<SinkStore> {
    return openSinkStore(this.config['connection.url'] ?? this.deps.defaultDbUrl, this.deps.log, this.deps.migrationsDir);
  }

  /** Runs `work` on the running store, or on one opened for it while the connector is STOPPED. */
  private async withStore<T>(work: (store: SinkStore) => Promise<T>): Promise<T> {
    if (this.store) return work(this.store);
    const store = await this.openStore();
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }
}
