import type { ErrantRecord, ErrorReporter } from './errant-record.ts';

/** Kafka Connect's LogReporter (errors.log.enable): one log line per tolerated errant record. */
export class LogReporter implements ErrorReporter {
  constructor(
    private readonly connector: string,
    private readonly log: (message: string) => void,
  ) {}

  async report(errant: readonly ErrantRecord[]): Promise<void> {
    for (const e of errant) this.log(`${this.connector}: skipping errant record (${e.stage}): ${e.error.message}`);
  }
}
