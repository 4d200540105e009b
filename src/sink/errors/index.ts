export { DeadLetterQueueReporter, DLQ_HEADERS } from './dead-letter-queue-reporter.ts';
export { errantRecord, type ErrantRecord, type ErrorReporter, type ErrorStage } from './errant-record.ts';
export { LogReporter } from './log-reporter.ts';
export { sinkReporters, type ReporterContext } from './reporters.ts';
export { RetryWithToleranceOperator, toleranceSettings, type OperatorHooks, type ToleranceSettings } from './retry-with-tolerance.ts';
