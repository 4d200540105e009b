import type { ConsumedRecord, RecordProducer } from '../../records/index.ts';
import type { ErrantRecord, ErrorReporter } from './errant-record.ts';

const utf8 = new TextDecoder();

/** Kafka Connect's dead-letter context headers. */
export const DLQ_HEADERS = {
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  connector: '__connect.errors.connector.name',
  task: '__connect.errors.task.id',
  stage: '__connect.errors.stage',
  className: '__connect.errors.class.name',
  exceptionClass: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
  stacktrace: '__connect.errors.exception.stacktrace',
} as const;

/**
 * Kafka Connect's dead-letter-queue reporter: an errant record goes to the DLQ topic as it was
 * consumed (key, value, headers), plus context headers saying where it came from and why it failed.
 */
export class DeadLetterQueueReporter implements ErrorReporter {
  constructor(
    private readonly writer: RecordProducer,
    private readonly topic: string,
    private readonly context: { connector: string; task: number; headers: boolean },
  ) {}

  /** Resolves once Kafka has every record; rejects otherwise (the caller must not move past them). */
  async report(errant: readonly ErrantRecord[]): Promise<void> {
    if (errant.length === 0) return;
    const outcomes = await this.writer.write(
      errant.map(({ record, ...failure }) => ({
        topic: this.topic,
        key: record.key === null ? null : utf8.decode(record.key),
        value: record.value === null ? null : utf8.decode(record.value),
        headers: { ...record.headers, ...(this.context.headers ? this.contextHeaders(record, failure) : {}) },
      })),
    );
    const failed = outcomes.find((o) => !o.delivered);
    if (failed && !failed.delivered) throw new Error(`writing to dead-letter topic ${this.topic} failed: ${failed.reason}`);
  }

  private contextHeaders(record: ConsumedRecord, { stage, className, error }: Omit<ErrantRecord, 'record'>): Record<string, string> {
    // The root cause names the exception, as Connect reports the wrapped exception's class.
    const cause = (error.cause as Error | undefined) ?? error;
    return {
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: String(record.offset),
      [DLQ_HEADERS.connector]: this.context.connector,
      [DLQ_HEADERS.task]: String(this.context.task),
      [DLQ_HEADERS.stage]: stage,
      [DLQ_HEADERS.className]: className,
      [DLQ_HEADERS.exceptionClass]: cause.name,
      [DLQ_HEADERS.exceptionMessage]: error.message,
      [DLQ_HEADERS.stacktrace]: error.stack ?? error.message,
    };
  }
}
