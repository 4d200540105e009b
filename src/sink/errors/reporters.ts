import type { DatabaseSinkConfig } from '../../config/index.ts';
import type { RecordProducer } from '../../records/index.ts';
import { DeadLetterQueueReporter } from './dead-letter-queue-reporter.ts';
import type { ErrorReporter } from './errant-record.ts';
import { LogReporter } from './log-reporter.ts';
import type { Log } from '../../log/index.ts';

export interface ReporterContext {
  connector: string;
  task: number;
  /** Writes dead-lettered records (the worker's producer); without it no record is dead-lettered. */
  writer?: RecordProducer | undefined;
  /** The task's logger (its lines carry the connector and task). */
  log: Log;
}

/** The reporters a sink connector's config asks for, in the order they hear of an errant record: the log, then the dead-letter topic. */
export function sinkReporters(config: DatabaseSinkConfig, context: ReporterContext): ErrorReporter[] {
  const reporters: ErrorReporter[] = [];
  if (config['errors.log.enable']) reporters.push(new LogReporter(context.connector, context.log));
  const topic = config['errors.deadletterqueue.topic.name'];
  if (topic && context.writer) {
    reporters.push(
      new DeadLetterQueueReporter(context.writer, topic, {
        connector: context.connector,
        task: context.task,
        headers: config['errors.deadletterqueue.context.headers.enable'],
      }),
    );
  }
  return reporters;
}
