import type { KafkaRecordWriter } from '../kafka/index.ts';
import { KafkaMap } from './kafka-map.ts';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface RestartRequest {
  id: string;
  includeTasks: boolean;
  onlyFailed: boolean;
  /** Restart only this task. */
  task?: number;
}

type ConfigRecord = { properties: Record<string, unknown> } | { state: TargetState } | { restart: RestartRequest };

export type ConfigEvent =
  | { kind: 'connector'; name: string; live: boolean }
  | { kind: 'target-state'; name: string; live: boolean }
  | { kind: 'restart'; name: string; request: RestartRequest; live: boolean };

const connectorKey = (name: string) => `connector-${name}`;
const stateKey = (name: string) => `target-state-${name}`;
const restartKey = (name: string) => `restart-${name}`;

/**
 * Connector configs, target states and restart requests, in Kafka Connect's config topic layout
 * (`connector-<name>`, `target-state-<name>`). Every worker follows the topic and converges.
 */
export class ConfigStore {
  private constructor(private readonly map: KafkaMap<ConfigRecord>) {}

  static async open(brokers: string, topic: string, writer: KafkaRecordWriter, log?: (message: string) => void): Promise<ConfigStore> {
    const map = await KafkaMap.open<ConfigRecord>({
      brokers,
      topic,
      // One partition: every worker sees every change in the same order.
      partitions: 1,
      writer,
      parse: (json) => json as ConfigRecord,
      log,
    });
    return new ConfigStore(map);
  }

  onChange(listener: (event: ConfigEvent) => void): void {
    this.map.onChange((key, value, live) => {
      const [, kind, name] = /^(connector|target-state|restart)-(.*)$/.exec(key) ?? [];
      if (!name) return;
      if (kind === 'restart') {
        if (value && 'restart' in value) listener({ kind: 'restart', name, request: value.restart, live });
      } else listener({ kind: kind as 'connector' | 'target-state', name, live });
    });
  }

  names(): string[] {
    return this.map
      .entries()
      .filter(([key]) => key.startsWith('connector-'))
      .map(([key]) => key.slice('connector-'.length))
      .sort();
  }

  properties(name: string): Record<string, unknown> | undefined {
    const record = this.map.get(connectorKey(name));
    return record && 'properties' in record ? record.properties : undefined;
  }

  targetState(name: string): TargetState {
    const record = this.map.get(stateKey(name));
    return record && 'state' in record ? record.state : 'STARTED';
  }

  async put(name: string, properties: Record<string, unknown>): Promise<void> {
    await this.map.set(connectorKey(name), { properties });
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.map.set(stateKey(name), { state });
  }

  async requestRestart(name: string, request: RestartRequest): Promise<void> {
    await this.map.set(restartKey(name), { restart: request });
  }

  async delete(name: string): Promise<void> {
    await this.map.set(stateKey(name), null);
    await this.map.set(restartKey(name), null);
    await this.map.set(connectorKey(name), null);
  }

  close(): Promise<void> {
    return this.map.close();
  }
}
