export { ErrantRecordError, tableName, toUpserts } from './records.ts';
export { SinkTask, type SinkTaskOptions, type TaskState, type TaskStatus } from './sink-task.ts';
