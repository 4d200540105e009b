import type { TargetState } from '../http/index.ts';
import type { KafkaProducer } from '../kafka/index.ts';
import { KafkaMap } from './kafka-map.ts';
import { ConfigRecordSchema, type ConfigRecord, type RestartRequest } from './stored-records.ts';
import type { Log } from '../log/index.ts';

export type { RestartRequest };

export type ConfigEvent =
  | { kind: 'connector'; name: string; live: boolean }
  | { kind: 'target-state'; name: string; live: boolean }
  | { kind: 'restart'; name: string; request: RestartRequest; live: boolean };

const connectorKey = (name: string) => `connector-${name}`;
const stateKey = (name: string) => `target-state-${name}`;
const restartKey = (name: string) => `restart-${name}`;
/** One key per create request: see ConfigStore.create for why. */
const createKey = (name: string, requestId: string) => `create-${requestId}-${name}`;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY = new RegExp(`^(?:(connector|target-state|restart)-(.*)|create-(${UUID})-(.*))$`, 's');

/**
 * Connector configs, target states and restart requests, in Kafka Connect's config topic layout
 * (`connector-<name>`, `target-state-<name>`), plus Inlet's create requests. Every worker reads
 * the topic's one partition in the same order and applies each record to the state the records
 * before it made, so all converge on the same connectors.
 */
export class ConfigStore {
  private readonly connectors = new Map<string, { properties: Record<string, unknown> }>();
  private readonly states = new Map<string, TargetState>();
  /** Create-request keys still holding a value, per connector name: a delete clears them all. */
  private readonly createKeys = new Map<string, Set<string>>();
  /** This worker's create requests in flight, and whether each won once read back. */
  private readonly ownCreates = new Map<string, boolean>();
  private readonly listeners: ((event: ConfigEvent) => void)[] = [];
  private map!: KafkaMap<ConfigRecord>;

  private constructor() {}

  static async open(brokers: string, topic: string, writer: KafkaProducer, log: Log): Promise<ConfigStore> {
    const store = new ConfigStore();
    store.map = await KafkaMap.open<ConfigRecord>({
      brokers,
      topic,
      // One partition: every worker sees every change in the same order.
      partitions: 1,
      writer,
      schema: ConfigRecordSchema,
      log,
      listener: (key, value, live) => store.apply(key, value, live),
    });
    return store;
  }

  private apply(key: string, value: ConfigRecord | undefined, live: boolean): void {
    const [, kind, name, requestId, createdName] = KEY.exec(key) ?? [];
    if (requestId !== undefined && createdName !== undefined) return this.applyCreate(createdName, key, requestId, value, live);
    if (!name) return;
    if (kind === 'connector') {
      if (value && 'properties' in value) this.connectors.set(name, { properties: value.properties });
      else this.connectors.delete(name);
      this.emit({ kind: 'connector', name, live });
    } else if (kind === 'target-state') {
      if (value && 'state' in value) this.states.set(name, value.state);
      else this.states.delete(name);
      this.emit({ kind: 'target-state', name, live });
    } else if (value && 'restart' in value) this.emit({ kind: 'restart', name, request: value.restart, live });
  }

  private applyCreate(name: string, key: string, requestId: string, value: ConfigRecord | undefined, live: boolean): void {
    const keys = this.createKeys.get(name) ?? new Set<string>();
    this.createKeys.set(name, keys);
    if (!value || !('create' in value)) {
      keys.delete(key);
      if (keys.size === 0) this.createKeys.delete(name);
      return;
    }
    keys.add(key);
    // First come, first served, in log order: a create of a name that exists here changes nothing.
    const wins = !this.connectors.has(name);
    if (this.ownCreates.has(requestId)) this.ownCreates.set(requestId, wins);
    if (!wins) return;
    this.connectors.set(name, { properties: value.create.properties });
    this.states.set(name, value.create.state);
    this.emit({ kind: 'connector', name, live });
  }

  private emit(event: ConfigEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Changes read after opening (the replayed ones are already in the state). */
  onChange(listener: (event: ConfigEvent) => void): void {
    this.listeners.push(listener);
  }

  names(): string[] {
    return [...this.connectors.keys()].sort();
  }

  properties(name: string): Record<string, unknown> | undefined {
    return this.connectors.get(name)?.properties;
  }

  targetState(name: string): TargetState {
    return this.states.get(name) ?? 'STARTED';
  }

  /** Creates or replaces a connector's config, whether it exists or not (PUT config, the connectors file). */
  async put(name: string, properties: Record<string, unknown>): Promise<void> {
    await this.map.set(connectorKey(name), { properties });
  }

  /**
   * Creates a connector only if none of that name exists when the config topic gets to this
   * request: of two workers creating one name at once, the one whose record Kafka wrote first
   * wins on every worker; the other learns it lost once it reads its own record back. Returns
   * whether this request created the connector.
   *
   * Each request has a key of its own (`create-<request id>-<name>`) rather than
   * `connector-<name>`: the topic is compacted by key, and a losing request written under
   * `connector-<name>` after the winner's would replace it, so a worker replaying the compacted
   * topic would apply the loser's config. Under distinct keys compaction keeps both records in
   * their order, and replay ignores the loser again. The loser clears its record (nothing
   * depends on it), and a delete clears every create record of the name, so none can bring a
   * deleted connector back once the deletion's tombstones are compacted away.
   */
  async create(name: string, properties: Record<string, unknown>, state: TargetState): Promise<boolean> {
    const requestId = crypto.randomUUID();
    const key = createKey(name, requestId);
    this.ownCreates.set(requestId, false);
    try {
      await this.map.set(key, { create: { properties, state } });
      if (this.ownCreates.get(requestId)) return true;
    } finally {
      this.ownCreates.delete(requestId);
    }
    await this.map.set(key, null);
    return false;
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.map.set(stateKey(name), { state });
  }

  async requestRestart(name: string, request: RestartRequest): Promise<void> {
    await this.map.set(restartKey(name), { restart: request });
  }

  async delete(name: string): Promise<void> {
    const creates = [...(this.createKeys.get(name) ?? [])].map((key) => [key, null] as const);
    await this.map.setMany([...creates, [stateKey(name), null], [restartKey(name), null]]);
    await this.map.set(connectorKey(name), null);
  }

  close(): Promise<void> {
    return this.map.close();
  }
}
