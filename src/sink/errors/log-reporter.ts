import type { ErrantRecord, ErrorReporter } from './errant-record.ts';
import type { Log } from '../../log/index.ts';
import { traceContextFrom, traceFields } from '../../trace/index.ts';

/** Kafka Connect's LogReporter (errors.log.enable): one log line per tolerated errant record. */
export class LogReporter implements ErrorReporter {
  constructor(
    private readonly connector: string,
    private readonly log: Log,
  ) {}

  async report(errant: readonly ErrantRecord[]): Promise<void> {
    for (const e of errant) {
      const { topic, partition, offset, headers } = e.record;
      // The line names the push the record came from (its trace), not the batch it failed in.
      const trace = traceFields(traceContextFrom((name) => headers[name]));
      this.log.warn({ topic, partition, offset, stage: e.stage, class: e.className, ...trace }, `${this.connector}: skipping errant record (${e.stage}): ${e.error.message}`);
    }
  }
}
