import type { ConsumedRecord } from '../../records/index.ts';
import { ErrantRecordError } from '../../records/index.ts';

/** Where in the pipeline a record failed, in Kafka Connect's words. */
export type ErrorStage = 'VALUE_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT';

/** A record that can never be applied, as consumed, with where and why it failed. */
export interface ErrantRecord {
  record: ConsumedRecord;
  stage: ErrorStage;
  /** The plugin that failed: the converter, the transform's type, or the sink's class. */
  className: string;
  error: Error;
}

/** An ErrantRecord for `consumed`; an error that does not yet name the record is wrapped in one that does. */
export function errantRecord(consumed: ConsumedRecord, stage: ErrorStage, className: string, error: unknown): ErrantRecord {
  return {
    record: consumed,
    stage,
    className,
    error: error instanceof ErrantRecordError ? error : new ErrantRecordError(consumed, (error as Error).message, { cause: error }),
  };
}

/** What each reporter does with the errant records the operator tolerated (Connect's ErrorReporter). */
export interface ErrorReporter {
  /** Resolves once the records are reported; rejects when they could not be (the caller must not move past them). */
  report(errant: readonly ErrantRecord[]): Promise<void>;
}
