import { afterEach, describe, expect, test } from 'bun:test';
import type { TargetState } from '../../src/http/index.ts';
import type { TopicSpec } from '../../src/kafka/index.ts';
import type { ConfigEvent, RestartRequest } from '../../src/runtime/config-store.ts';
import type { DatabaseSinkConfig } from '../../src/config/index.ts';
import { ConnectorReconciler, type SinkConnector, type SourceFollower } from '../../src/runtime/reconciler.ts';
import type { SourceConnector } from '../../src/source/index.ts';
import { memoryLog } from '../support/log.ts';

/** The config topic as the reconciler reads it, in memory: every change is a live event. */
class InMemoryConfigs {
  private readonly connectors = new Map<string, Record<string, unknown>>();
  private readonly states = new Map<string, TargetState>();
  private readonly listeners: ((event: ConfigEvent) => void)[] = [];

  onChange(listener: (event: ConfigEvent) => void): void {
    this.listeners.push(listener);
  }
  names(): string[] {
    return [...this.connectors.keys()].sort();
  }
  properties(name: string): Record<string, unknown> | undefined {
    return this.connectors.get(name);
  }
  targetState(name: string): TargetState {
    return this.states.get(name) ?? 'STARTED';
  }
  put(name: string, properties: Record<string, unknown>): void {
    this.connectors.set(name, properties);
    this.emit({ kind: 'connector', name, live: true });
  }
  remove(name: string): void {
    this.connectors.delete(name);
    this.states.delete(name);
    this.emit({ kind: 'connector', name, live: true });
  }
  setTargetState(name: string, state: TargetState): void {
    this.states.set(name, state);
    this.emit({ kind: 'target-state', name, live: true });
  }
  restart(name: string, request: Omit<RestartRequest, 'id'>): void {
    this.emit({ kind: 'restart', name, request: { id: crypto.randomUUID(), ...request }, live: true });
  }
  private emit(event: ConfigEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** A sink connector that records what the reconciler asks of it; `cannotStart` makes it fail as a missing database would. */
class RecordingSink implements SinkConnector {
  failure: string | undefined;
  readonly calls: string[] = [];
  constructor(
    readonly config: DatabaseSinkConfig,
    private readonly cannotStart?: string,
  ) {}
  async start(paused: boolean): Promise<void> {
    this.calls.push(paused ? 'start paused' : 'start');
    this.failure = this.cannotStart && `cannot start: ${this.cannotStart}`;
  }
  async stop(state: 'STOPPED' | null): Promise<void> {
    this.calls.push(`stop ${state}`);
    this.failure = undefined;
  }
  async restartTasks(request: Pick<RestartRequest, 'onlyFailed' | 'task'>): Promise<void> {
    this.calls.push(`restart tasks${request.onlyFailed ? ' failed' : ''}${request.task === undefined ? '' : ` ${request.task}`}`);
  }
  async publish(): Promise<void> {}
}

/** What the reconciler asked of Kafka and the source writer, and switches to make topic creation or a sink fail. */
class World {
  readonly configs = new InMemoryConfigs();
  readonly created: string[] = [];
  readonly following = new Set<string>();
  readonly restored: string[] = [];
  readonly replaced: string[] = [];
  readonly log = memoryLog();
  readonly storedOffsets = new Map<string, [string, string][]>();
  /** While set, topic creation waits for it (a broker slow to answer). */
  topicsHeld: Promise<void> | undefined;
  /** Topics Kafka refuses to create, with its reason. */
  readonly refused = new Map<string, string>();
  /** Sinks that cannot start, with the reason. */
  readonly brokenSinks = new Map<string, string>();
  /** Every sink connector the reconciler built, in order. */
  readonly sinks: { name: string; sink: RecordingSink }[] = [];

  readonly reconciler = new ConnectorReconciler({
    configs: this.configs,
    offsets: { entries: (name) => this.storedOffsets.get(name) ?? [] },
    writer: {
      restoreOffset: (source, partition, offset) => void this.restored.push(`${source.name}:${partition}=${offset}`),
      replaceOffsets: (source, entries) => void this.replaced.push(`${source.name}:${entries.map(([p, o]) => `${p}=${o}`).join(',')}`),
    },
    ensureTopics: async (topics: readonly TopicSpec[]) => {
      await this.topicsHeld;
      for (const topic of topics) {
        const reason = this.refused.get(topic.name);
        if (reason) throw new Error(`createTopics failed`, { cause: new Error(reason) });
        this.created.push(`${topic.name}/${topic.partitions}`);
      }
    },
    follow: async (source: SourceConnector): Promise<SourceFollower> => {
      this.following.add(source.name);
      return {
        restored: 0,
        caughtUp: async () => {},
        readable: async () => {},
        stop: async () => void this.following.delete(source.name),
      };
    },
    sinkConnector: (name, config) => {
      const sink = new RecordingSink(config, this.brokenSinks.get(name));
      this.sinks.push({ name, sink });
      return sink;
    },
    log: this.log,
  });
}

const webhook = (topic: string, extra: Record<string, unknown> = {}) => ({ 'connector.class': 'webhook', topic, 'offset.field': 'id', ...extra });
const sink = (extra: Record<string, unknown> = {}) => ({ 'connector.class': 'database-sink', topics: 'orders', 'primary.key.fields': 'id', ...extra });

let world: World;
afterEach(async () => {
  await world.reconciler.stop();
});

describe('the reconcile loop (ConnectorReconciler)', () => {
  test('at start it runs every stored connector: a source with its topic created and followed, a sink as its runtime', async () => {
    world = new World();
    world.configs.put('orders-in', webhook('orders', { 'topic.creation.default.partitions': 6 }));
    world.configs.put('orders-out', sink());
    world.storedOffsets.set('orders-in', [['orders-in', 'evt-9']]);
    await world.reconciler.start();

    expect(world.created).toEqual(['orders/6']);
    expect(world.following.has('orders-in')).toBe(true);
    expect(world.restored).toEqual(['orders-in:orders-in=evt-9']);
    expect(world.reconciler.source('orders-in')?.state).toBe('STARTED');
    expect(world.reconciler.sink('orders-out')?.config.topics).toEqual(['orders']);
    expect(world.reconciler.source('orders-out')).toBeUndefined();
    expect(world.reconciler.failure('orders-in')).toBeUndefined();
  });

  test('follows changes: a new connector starts, a target state applies, a deleted one stops', async () => {
    world = new World();
    await world.reconciler.start();

    world.configs.put('hooks', webhook('hooks'));
    await world.reconciler.settled();
    expect(world.reconciler.source('hooks')?.state).toBe('STARTED');

    world.configs.setTargetState('hooks', 'PAUSED');
    await world.reconciler.settled();
    expect(world.reconciler.source('hooks')?.state).toBe('PAUSED');

    world.configs.remove('hooks');
    await world.reconciler.settled();
    expect(world.reconciler.source('hooks')).toBeUndefined();
    expect(world.following.has('hooks')).toBe(false);
  });

  test('offsets changed while STOPPED are taken on the way out of STOPPED', async () => {
    world = new World();
    world.configs.put('hooks', webhook('hooks'));
    world.configs.setTargetState('hooks', 'STOPPED');
    await world.reconciler.start();
    world.storedOffsets.set('hooks', [['p', '42']]);
    world.configs.setTargetState('hooks', 'STARTED');
    await world.reconciler.settled();
    expect(world.replaced).toEqual(['hooks:p=42']);
  });

  test('a source whose topic creation fails is FAILED with the cause in its trace, serves no pushes, and a restart once fixed runs it', async () => {
    world = new World();
    world.refused.set('a.b', "Topic 'a.b' collides with existing topic: a_b");
    await world.reconciler.start();

    world.configs.put('colliding', webhook('a.b'));
    await world.reconciler.settled();
    expect(world.reconciler.failure('colliding')).toContain('collides with existing topic');
    expect(world.reconciler.source('colliding')).toBeUndefined();
    expect(world.log.messages().join('\n')).toContain('connector colliding failed on this worker');

    world.refused.delete('a.b');
    world.configs.restart('colliding', { includeTasks: true, onlyFailed: true });
    await world.reconciler.settled();
    expect(world.reconciler.failure('colliding')).toBeUndefined();
    expect(world.reconciler.source('colliding')?.state).toBe('STARTED');
  });

  test('a source does not serve until it has started: pending, with why and its state in Connect\'s words, until then', async () => {
    world = new World();
    world.refused.set('a.b', "Topic 'a.b' collides with existing topic: a_b");
    await world.reconciler.start();
    let release = () => {};
    world.topicsHeld = new Promise((resolve) => (release = resolve));
    world.configs.put('colliding', webhook('a.b'));
    // The queue runs, in microtasks, up to the held topic creation.
    await Bun.sleep(0);
    expect(world.reconciler.pendingReason('colliding')).toBe('starting');
    expect(world.reconciler.startingState('colliding')).toBe('UNASSIGNED');
    release();
    await world.reconciler.settled();
    expect(world.reconciler.failure('colliding')).toContain('collides');
    // FAILED, its config stored: a push is 503 naming the state, and not the trace (ingest is public).
    expect(world.reconciler.pendingReason('colliding')).toContain('FAILED');
    expect(world.reconciler.pendingReason('colliding')).not.toContain('collides');
    expect(world.reconciler.startingState('colliding')).toBeUndefined();

    world.refused.delete('a.b');
    world.topicsHeld = new Promise((resolve) => (release = resolve));
    world.configs.restart('colliding', { includeTasks: true, onlyFailed: true });
    await Bun.sleep(0);
    // No longer FAILED, not serving yet: a push is 503 saying so (not 404), and the status is not RUNNING.
    expect(world.reconciler.failure('colliding')).toBeUndefined();
    expect(world.reconciler.source('colliding')).toBeUndefined();
    expect(world.reconciler.pendingReason('colliding')).toBe('restarting');
    expect(world.reconciler.startingState('colliding')).toBe('RESTARTING');
    release();
    await world.reconciler.settled();
    expect(world.reconciler.source('colliding')?.state).toBe('STARTED');
    expect(world.reconciler.pendingReason('colliding')).toBeUndefined();
    expect(world.reconciler.startingState('colliding')).toBeUndefined();
  });

  test('a config this worker cannot run is FAILED naming the field, and a fixed config runs', async () => {
    world = new World();
    await world.reconciler.start();
    world.configs.put('bad', sink({ 'batch.size': 0 }));
    await world.reconciler.settled();
    expect(world.reconciler.failure('bad')).toContain('batch.size');
    expect(world.reconciler.sink('bad')).toBeUndefined();

    world.configs.put('bad', sink());
    await world.reconciler.settled();
    expect(world.reconciler.failure('bad')).toBeUndefined();
    expect(world.reconciler.sink('bad')).toBeDefined();
  });

  test('a source turned into a sink stops serving pushes and is no longer followed', async () => {
    world = new World();
    world.configs.put('shifty', webhook('shifty'));
    await world.reconciler.start();
    expect(world.following.has('shifty')).toBe(true);
    world.configs.put('shifty', sink());
    await world.reconciler.settled();
    expect(world.reconciler.sink('shifty')).toBeDefined();
    expect(world.reconciler.source('shifty')).toBeUndefined();
    expect(world.following.has('shifty')).toBe(false);
  });

  test('a sink follows its target state: PAUSED joins without running tasks, STOPPED leaves, a new config replaces the runtime', async () => {
    world = new World();
    world.configs.put('out', sink());
    await world.reconciler.start();
    const first = world.sinks[0]!.sink;
    // Each change is applied as the config topic stands when its turn comes: settle between them.
    for (const state of ['PAUSED', 'STOPPED', 'STARTED'] as const) {
      world.configs.setTargetState('out', state);
      await world.reconciler.settled();
    }
    world.configs.put('out', sink({ 'batch.size': 10 }));
    await world.reconciler.settled();
    expect(first.calls).toEqual(['start', 'start paused', 'stop STOPPED', 'start', 'stop null']);
    expect(world.sinks.map((s) => s.name)).toEqual(['out', 'out']);
    expect(world.sinks[1]!.sink.calls).toEqual(['start']);
    expect(world.reconciler.sink('out')?.runtime).toBe(world.sinks[1]!.sink);
  });

  test('restarts follow KIP-745: tasks only restart the tasks, the connector rebuilds the runtime, onlyFailed spares a running one', async () => {
    world = new World();
    world.configs.put('out', sink());
    await world.reconciler.start();
    const first = world.sinks[0]!.sink;
    world.configs.restart('out', { includeTasks: true, onlyFailed: true });
    world.configs.restart('out', { includeTasks: false, onlyFailed: false, task: 1 });
    await world.reconciler.settled();
    expect(first.calls).toEqual(['start', 'restart tasks failed', 'restart tasks 1']);
    expect(world.sinks).toHaveLength(1);

    world.configs.restart('out', { includeTasks: false, onlyFailed: false });
    await world.reconciler.settled();
    expect(first.calls.at(-1)).toBe('stop null');
    expect(world.sinks).toHaveLength(2);
  });

  test('a sink that cannot start is FAILED with its reason; a restart of the failed connector builds it again', async () => {
    world = new World();
    world.brokenSinks.set('out', 'database "shop" does not exist');
    world.configs.put('out', sink());
    await world.reconciler.start();
    expect(world.reconciler.failure('out')).toContain('database "shop" does not exist');

    world.brokenSinks.delete('out');
    world.configs.restart('out', { includeTasks: true, onlyFailed: true });
    await world.reconciler.settled();
    expect(world.sinks).toHaveLength(2);
    expect(world.reconciler.failure('out')).toBeUndefined();
  });

  test('stop stops every sink and every follower', async () => {
    world = new World();
    world.configs.put('in', webhook('in'));
    world.configs.put('out', sink());
    await world.reconciler.start();
    await world.reconciler.stop();
    expect(world.sinks[0]!.sink.calls.at(-1)).toBe('stop null');
    expect(world.following.size).toBe(0);
    expect(world.reconciler.sink('out')).toBeUndefined();
  });
});
