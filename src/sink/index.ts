export { ErrantRecordError, tableName, toChanges } from './records.ts';
export { SinkTask, type SinkTaskOptions, type TaskState, type TaskStatus } from './sink-task.ts';
