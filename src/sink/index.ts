export { applyChanges, applyChangesOnce, batchLanded } from './apply.ts';
export { planBatch, type Converted, type Plan } from './convert.ts';
export { DLQ_HEADERS, errantRecord, RetryWithToleranceOperator, sinkReporters, toleranceSettings, type ErrantRecord, type ToleranceSettings } from './errors/index.ts';
export { tableName, toChanges } from './records.ts';
export { toSinkRecord } from './sink-record.ts';
