import { isTransientDbError } from '../db/index.ts';

export interface RetryPolicy {
  /** -1: for ever; 0: no retry. */
  timeoutMs: number;
  maxDelayMs: number;
  /** Called before each wait, with the error and the delay. */
  onRetry(error: Error, delayMs: number): void;
  /** Checked before each wait: a stopping task gives up at once. */
  stopped(): boolean;
}

const BASE_DELAY_MS = 100;

/**
 * Runs `work` until it succeeds, retrying transient database errors with capped, jittered
 * exponential backoff for at most `timeoutMs`. Anything else, or the time running out, throws.
 */
export async function retryTransient<T>(work: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientDbError(error) || policy.stopped()) throw error;
      const delay = Math.min(policy.maxDelayMs, BASE_DELAY_MS * 2 ** Math.min(attempt, 20)) * (0.5 + Math.random() / 2);
      if (policy.timeoutMs >= 0 && Date.now() + delay - started > policy.timeoutMs) throw error;
      policy.onRetry(error as Error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
