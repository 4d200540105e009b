export { replayDeadLetters, type ReplayResult } from './dlq-replay.ts';
export { tableName, toChanges } from './records.ts';
export { toSinkRecord } from './sink-record.ts';
export { SinkTask, type SinkTaskOptions, type TaskState, type TaskStatus } from './sink-task.ts';
