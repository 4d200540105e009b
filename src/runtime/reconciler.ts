import { checkConnectorConfig, formatIssues, isSinkConfig, type DatabaseSinkConfig, type SourceConfig } from '../config/index.ts';
import { errorTrace } from '../errors/index.ts';
import type { TargetState } from '../http/index.ts';
import type { TopicSpec } from '../kafka/index.ts';
import { createSourceConnector, type SourceConnector, type SourceRecordSender, type WrittenRecord } from '../source/index.ts';
import { transformKeyIssues } from '../transforms/index.ts';
import type { ConfigStore, RestartRequest } from './config-store.ts';
import type { SourceOffsetStore } from './offset-store.ts';
import type { SinkConnectorRuntime } from './sink-connector.ts';
import type { Log } from '../log/index.ts';

const STARTING = 'starting';
const RESTORING = 'restoring dedupe window';
const RESTARTING = 'restarting';

/** Follows a source's topics so its dedupe window holds what the whole cluster wrote (a SourceTail). */
export interface SourceFollower {
  /** Recent records read at start. */
  readonly restored: number;
  caughtUp(): Promise<void>;
  readable(records: readonly WrittenRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/** A sink connector on this worker as the reconciler drives it (a SinkConnectorRuntime). */
export interface SinkConnector {
  /** Why it could not start here, if it could not. */
  readonly failure: string | undefined;
  /** Joins the slot group (STARTED or PAUSED). */
  start(paused: boolean): Promise<void>;
  /** Leaves the slot group and stops every task here. */
  stop(state: 'STOPPED' | null): Promise<void>;
  restartTasks(request: Pick<RestartRequest, 'onlyFailed' | 'task'>): Promise<void>;
  /** Reports its tasks' states. */
  publish(): Promise<void>;
}

/** The reconciler's collaborators: the worker wires in Kafka and the stores; tests, in-memory ones. */
export interface ReconcilerDeps<Sink extends SinkConnector = SinkConnectorRuntime> {
  configs: Pick<ConfigStore, 'onChange' | 'names' | 'properties' | 'targetState'>;
  offsets: Pick<SourceOffsetStore, 'entries'>;
  writer: Pick<SourceRecordSender, 'replaceOffsets' | 'restoreOffset'>;
  /** Creates the topics that do not exist yet (a source's own). */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Starts following a source's topics (a source whose dedupe window is on), after restoring its
   * window; `signal` gives the restore up (the worker is stopping) and the start then rejects.
   */
  follow(source: SourceConnector, signal: AbortSignal): Promise<SourceFollower>;
  /** A sink connector's slot membership and tasks on this worker, not started yet. */
  sinkConnector(name: string, config: DatabaseSinkConfig, properties: Record<string, unknown>): Sink;
  /** A connector's config with its `${env:…}` secrets resolved, before anything of it runs (and logs): the logger learns its secret values. */
  secretsResolved?(config: Readonly<Record<string, unknown>>): void;
  log: Log;
}

export interface RunningSource {
  source: SourceConnector;
  config: SourceConfig;
  state: TargetState;
}

interface RunningSink<Sink extends SinkConnector = SinkConnectorRuntime> {
  config: DatabaseSinkConfig;
  runtime: Sink;
  state: TargetState;
}

/**
 * The reconcile loop behind the herder: decides what runs on this worker by following the config
 * topic and bringing sources, sink slot memberships and target states in line with it, one
 * connector change at a time. Every worker serves every source; sink tasks go where Kafka assigns their slots.
 */
export class ConnectorReconciler<Sink extends SinkConnector = SinkConnectorRuntime> {
  private readonly sources = new Map<string, RunningSource & { properties: string }>();
  private readonly sinks = new Map<string, RunningSink<Sink> & { properties: string }>();
  /** What the other workers write for each source, followed so that retries are duplicates everywhere. */
  private readonly tails = new Map<string, { tail: SourceFollower; follows: string }>();
  /** Why a stored connector cannot run on this worker (e.g. a secret's variable is not set here). */
  private readonly failures = new Map<string, string>();
  /**
   * Connectors that do not serve here yet, and why: every stored one until start has reconciled
   * it, and a new source while its dedupe window is restored. Pushes to them are answered 503.
   */
  private readonly pending = new Map<string, string>();
  private stopping = false;
  /** Aborted by stop(): a dedupe window being restored is given up rather than waited for. */
  private readonly stopped = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private statusTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: ReconcilerDeps<Sink>) {}

  async start(): Promise<void> {
    this.deps.configs.onChange((event) => {
      if (!event.live || this.stopping) return;
      if (event.kind === 'restart') void this.serially(() => this.restart(event.name, event.request), event.name);
      else void this.serially(() => this.reconcile(event.name), event.name);
    });
    const names = this.deps.configs.names();
    for (const name of names) this.pending.set(name, STARTING);
    for (const name of names) {
      // A drain that came during start stops here, not after every source has restored.
      if (this.stopping) break;
      await this.serially(() => this.reconcile(name).finally(() => this.pending.delete(name)), name);
    }
    this.statusTimer = setInterval(() => {
      for (const sink of this.sinks.values()) void sink.runtime.publish();
    }, 1000);
  }

  /** Resolves once every change seen so far has been applied here. */
  settled(): Promise<void> {
    return this.serially(async () => {});
  }

  /**
   * Runs `work` after everything queued before it. A failure of work on connector `name` makes it
   * FAILED here, with the trace in its status: nothing the queue runs fails unseen.
   */
  private serially(work: () => Promise<void>, name?: string): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      if (name === undefined) this.deps.log.error(`reconciler: ${errorTrace(error)}`);
      else this.failed(name, error);
    });
    return this.queue;
  }

  /** FAILED on this worker, with the cause in its status, until a restart finds it fixed; a failed source serves no pushes. */
  private failed(name: string, error: unknown): void {
    this.sources.delete(name);
    // A start that stop() cut short did not fail: the worker is going away.
    if (this.stopping) return void this.deps.log.info({ connector: name }, `connector ${name}: start given up, the worker is stopping`);
    this.failures.set(name, errorTrace(error));
    this.deps.log.error({ connector: name }, `connector ${name} failed on this worker: ${error instanceof Error ? error.message : String(error)}`);
  }

  /**
   * Why source `name` does not serve here (still starting, restoring its dedupe window, FAILED),
   * if so. A FAILED source's pushes are refused with 503 like a paused one's, not 404: its config
   * is stored, and a sender told "not found" may drop what it would retry once a restart fixed it.
   * The failure's trace stays in the (authenticated) status: ingest is public.
   */
  pendingReason(name: string): string | undefined {
    const reason = this.pending.get(name);
    if (reason !== undefined || !this.failures.has(name)) return reason;
    const properties = this.deps.configs.properties(name);
    if (!properties || isSinkConfig({ 'connector.class': String(properties['connector.class']) })) return undefined;
    return `it is FAILED on this worker (GET /connectors/${name}/status says why; a restart brings it back)`;
  }

  /**
   * A source's state while it does not serve here yet, in Connect's words: RESTARTING after a
   * restart, UNASSIGNED while it starts (its topics ensured, its dedupe window restored).
   */
  startingState(name: string): 'RESTARTING' | 'UNASSIGNED' | undefined {
    const reason = this.pending.get(name);
    if (reason === undefined) return undefined;
    return reason === RESTARTING ? 'RESTARTING' : 'UNASSIGNED';
  }

  /** The source connectors stored in the cluster: every worker serves each (bar a STOPPED one). */
  sourceNames(): string[] {
    return this.deps.configs.names().filter((name) => {
      const properties = this.deps.configs.properties(name);
      return properties !== undefined && !isSinkConfig({ 'connector.class': String(properties['connector.class']) });
    });
  }

  /**
   * The state of source `name`'s one task on this worker, in Connect's words: FAILED after a
   * failure here, PAUSED, RESTARTING or UNASSIGNED while it does not serve pushes here yet, else
   * RUNNING. Undefined when the connector is STOPPED: it then has no tasks.
   */
  sourceTaskState(name: string): 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'UNASSIGNED' | undefined {
    const target = this.deps.configs.targetState(name);
    if (target === 'STOPPED') return undefined;
    if (this.failure(name) !== undefined) return 'FAILED';
    if (target === 'PAUSED') return 'PAUSED';
    return this.startingState(name) ?? 'RUNNING';
  }

  /** Every connector that does not serve here yet, with why. */
  pendingConnectors(): { connector: string; reason: string }[] {
    return [...this.pending].map(([connector, reason]) => ({ connector, reason }));
  }

  source(name: string): RunningSource | undefined {
    return this.sources.get(name);
  }

  /** The sink connectors this worker runs (their tasks may be elsewhere). */
  sinkNames(): string[] {
    return [...this.sinks.keys()];
  }

  sink(name: string): RunningSink<Sink> | undefined {
    return this.sinks.get(name);
  }

  /** Why the connector is FAILED on this worker, if it is. */
  failure(name: string): string | undefined {
    return this.failures.get(name) ?? this.sinks.get(name)?.runtime.failure;
  }

  /** Resolves once the dedupe window of source `name` holds what the whole cluster acknowledged so far. */
  async caughtUp(name: string): Promise<void> {
    // No tail: the source keeps no window (dedupe.window.ms=0) or is gone.
    await this.tails.get(name)?.tail.caughtUp();
  }

  /** Resolves once this worker's committed records of source `name` are visible to the other workers. */
  async readable(name: string, records: readonly WrittenRecord[]): Promise<void> {
    await this.tails.get(name)?.tail.readable(records);
  }

  /**
   * Brings what runs here in line with the config topic. `restart` recreates the connector even
   * if its config did not change: a source connector is built again and its topics ensured, a
   * sink connector reopens its database and rejoins its task slots (so its tasks here restart).
   * A failure reaches the queue, which makes the connector FAILED (see `serially`).
   */
  private async reconcile(name: string, restart = false): Promise<void> {
    const properties = this.deps.configs.properties(name);
    const state = this.deps.configs.targetState(name);
    const key = JSON.stringify(properties);
    if (!properties) return this.remove(name);
    const check = checkConnectorConfig(properties, undefined, undefined, transformKeyIssues);
    if (!check.ok) {
      await this.remove(name);
      this.failures.set(name, formatIssues(check.issues));
      this.deps.log.error({ connector: name }, `connector ${name} cannot run on this worker: ${this.failures.get(name)}`);
      return;
    }
    this.failures.delete(name);
    const config = check.config;
    this.deps.secretsResolved?.(config);
    if (isSinkConfig(config)) {
      this.sources.delete(name);
      await this.unfollow(name);
      let sink = this.sinks.get(name);
      if (sink && (sink.properties !== key || restart)) {
        await sink.runtime.stop(null);
        sink = undefined;
      }
      if (!sink) {
        sink = { config, properties: key, state, runtime: this.deps.sinkConnector(name, config, properties) };
        this.sinks.set(name, sink);
      }
      sink.state = state;
      if (state === 'STOPPED') await sink.runtime.stop('STOPPED');
      else await sink.runtime.start(state === 'PAUSED');
      return;
    }
    await this.sinks.get(name)?.runtime.stop(null);
    this.sinks.delete(name);
    const existing = this.sources.get(name);
    if (existing && existing.properties === key && !restart) {
      // Offsets may only change while STOPPED (the offsets API); take them on the way out of it.
      if (existing.state === 'STOPPED' && state !== 'STOPPED') {
        this.deps.writer.replaceOffsets(existing.source, this.deps.offsets.entries(name));
      }
      existing.state = state;
      return;
    }
    // A source already serving keeps serving on its old window meanwhile (see follow). One that
    // does not serve yet (new here, or FAILED and restarting) is pending from now until it serves:
    // a push is answered 503 saying why, not 404, and its status does not say RUNNING.
    if (!existing) this.pending.set(name, restart ? RESTARTING : (this.pending.get(name) ?? STARTING));
    try {
      const source = createSourceConnector(name, config);
      await this.deps.ensureTopics(source.topics.map((topic) => ({ name: topic, partitions: config['topic.creation.default.partitions'] })));
      if (!existing) for (const [partition, offset] of this.deps.offsets.entries(name)) this.deps.writer.restoreOffset(source, partition, offset);
      if (!existing && !restart && source.dedupe.windowMs > 0) this.pending.set(name, RESTORING);
      await this.follow(source);
      this.sources.set(name, { source, config, state, properties: key });
    } finally {
      if (!existing) this.pending.delete(name);
    }
  }

  /** Starts following the source's topics, or follows them anew when its topics or window changed. */
  private async follow(source: SourceConnector): Promise<void> {
    const follows = JSON.stringify([source.topics, source.dedupe]);
    const current = this.tails.get(source.name);
    if (current?.follows === follows) return;
    if (source.dedupe.windowMs === 0) return this.unfollow(source.name);
    const started = Date.now();
    const tail = await this.deps.follow(source, this.stopped.signal);
    // The old tail serves pushes until the new one has caught up.
    this.tails.set(source.name, { tail, follows });
    await current?.tail.stop();
    // The restore holds the worker's start: say what took the time when it is worth saying.
    if (tail.restored > 0) this.deps.log.info({ connector: source.name }, `connector ${source.name}: ${tail.restored} recent source offsets restored from Kafka in ${Date.now() - started} ms`);
  }

  private async unfollow(name: string): Promise<void> {
    const current = this.tails.get(name);
    this.tails.delete(name);
    await current?.tail.stop();
  }

  private async remove(name: string): Promise<void> {
    this.sources.delete(name);
    this.failures.delete(name);
    await this.unfollow(name);
    const sink = this.sinks.get(name);
    if (!sink) return;
    this.sinks.delete(name);
    await sink.runtime.stop(null);
  }

  /**
   * A restart request as Kafka Connect reads it (KIP-745): the connector (unless `onlyFailed` and
   * it is not FAILED here) and, with `includeTasks`, its tasks (with `onlyFailed`, the FAILED
   * ones); a request naming one task restarts only that task. A source's one task is the source
   * connector itself, which every worker serves, so restarting either rebuilds the source.
   */
  private async restart(name: string, request: RestartRequest): Promise<void> {
    if (!this.deps.configs.properties(name)) return;
    const failed = this.failure(name) !== undefined;
    const connector = request.task === undefined && (!request.onlyFailed || failed);
    const sink = this.sinks.get(name);
    if (sink && !failed) {
      if (connector) await this.reconcile(name, true);
      else if (request.includeTasks || request.task !== undefined) await sink.runtime.restartTasks(request);
      return;
    }
    // A FAILED connector runs no task here; a source's task fails and restarts with it.
    if (connector || request.task !== undefined || (request.includeTasks && failed)) await this.reconcile(name, true);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // The queue may be restoring a dedupe window, which on a loaded machine can outlast the drain's
    // 25 s deadline: the stop below would wait behind it, and the worker exit 1.
    this.stopped.abort();
    clearInterval(this.statusTimer);
    await this.serially(async () => {
      for (const [name, sink] of this.sinks) {
        await sink.runtime.stop(null);
        this.sinks.delete(name);
      }
      for (const name of [...this.tails.keys()]) await this.unfollow(name);
    });
  }
}
