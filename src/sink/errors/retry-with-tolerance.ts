import type { DatabaseSinkConfig } from '../../config/index.ts';
import { isTransientDbError, MissingTableError } from '../../db/index.ts';
import type { ErrantRecord, ErrorReporter } from './errant-record.ts';

export interface ToleranceSettings {
  /** errors.tolerance: `none` fails on the first errant record, `all` reports it and goes on. */
  tolerance: 'none' | 'all';
  /** errors.retry.timeout: -1 retries for ever, 0 not at all. */
  retryTimeoutMs: number;
  /** errors.retry.delay.max.ms: the cap of the backoff between retries. */
  maxRetryDelayMs: number;
}

/** The tolerance settings of a sink connector's config. */
export function toleranceSettings(config: DatabaseSinkConfig): ToleranceSettings {
  return {
    tolerance: config['errors.tolerance'],
    retryTimeoutMs: config['errors.retry.timeout'],
    maxRetryDelayMs: config['errors.retry.delay.max.ms'],
  };
}

export interface OperatorHooks {
  /** Called before each wait, with the error and the delay. */
  onRetry?(error: Error, delayMs: number): void;
  /** Checked before each wait: a stopping task gives up at once. */
  stopped?(): boolean;
}

const BASE_DELAY_MS = 100;

/**
 * Kafka Connect's RetryWithToleranceOperator: the one place a sink decides what a failure means.
 * Transient database errors are retried with capped, jittered exponential backoff for at most
 * errors.retry.timeout; errant records fail the task (errors.tolerance=none) or go to every
 * reporter (all: the log, the dead-letter topic) while the rest flows on.
 */
export class RetryWithToleranceOperator {
  constructor(
    private readonly settings: ToleranceSettings,
    private readonly reporters: readonly ErrorReporter[] = [],
    private readonly hooks: OperatorHooks = {},
  ) {}

  /** Runs `work` until it succeeds; anything not transient, or the retry time running out, throws. */
  async execute<T>(work: () => Promise<T>): Promise<T> {
    const { retryTimeoutMs, maxRetryDelayMs } = this.settings;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientDbError(error) || retryTimeoutMs === 0 || this.hooks.stopped?.()) throw error;
        const delay = Math.min(maxRetryDelayMs, BASE_DELAY_MS * 2 ** Math.min(attempt, 20)) * (0.5 + Math.random() / 2);
        if (retryTimeoutMs >= 0 && Date.now() + delay - started > retryTimeoutMs) throw error;
        this.hooks.onRetry?.(error as Error, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * errors.tolerance=none: throws the first errant record's error, naming where it is and why.
   * all: reports each to every reporter in turn; resolves once all have them (a dead-letter
   * topic must hold a record before the position moves past it).
   */
  async tolerate(errant: readonly ErrantRecord[]): Promise<void> {
    if (errant.length === 0) return;
    if (this.settings.tolerance === 'none') throw errant[0]!.error;
    for (const reporter of this.reporters) await reporter.report(errant);
  }

  /**
   * Whether a failed apply may be one record's fault, to be found by applying one record at a
   * time. Transient errors (retries ran out) and a table that is missing and may not be created
   * concern every record: they fail the task.
   */
  mayBeRecordFault(error: unknown): boolean {
    return !isTransientDbError(error) && !(error instanceof MissingTableError);
  }
}
