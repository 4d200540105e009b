import type { KafkaProducer } from '../kafka/index.ts';
import { KafkaMap } from './kafka-map.ts';
import { TaskStatusRecordSchema, type TaskStatusRecord } from './stored-records.ts';
import type { Log } from '../log/index.ts';

export type { TaskStatusRecord };

const taskKey = (connector: string, task: number) => `status-task-${connector}-${task}`;

/**
 * Task states as the worker running each task reports them, in a compacted topic every worker
 * follows, so any worker can answer a status request.
 */
export class StatusStore {
  private readonly published = new Map<string, string>();

  private constructor(private readonly map: KafkaMap<TaskStatusRecord>) {}

  static async open(brokers: string, topic: string, writer: KafkaProducer, log: Log): Promise<StatusStore> {
    const map = await KafkaMap.open<TaskStatusRecord>({ brokers, topic, partitions: 5, writer, schema: TaskStatusRecordSchema, log });
    return new StatusStore(map);
  }

  task(connector: string, task: number): TaskStatusRecord | undefined {
    return this.map.get(taskKey(connector, task));
  }

  /** Writes a task's status when it differs from what this worker last wrote or read. */
  async publish(connector: string, task: number, status: TaskStatusRecord): Promise<void> {
    const key = taskKey(connector, task);
    const text = JSON.stringify(status);
    if (this.published.get(key) === text && JSON.stringify(this.map.get(key)) === text) return;
    this.published.set(key, text);
    await this.map.set(key, status);
  }

  async forget(connector: string, tasks: number): Promise<void> {
    for (let task = 0; task < tasks; task++) {
      const key = taskKey(connector, task);
      this.published.delete(key);
      if (this.map.get(key)) await this.map.set(key, null);
    }
  }

  close(): Promise<void> {
    return this.map.close();
  }
}
