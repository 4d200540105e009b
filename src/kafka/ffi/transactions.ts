import { takeError, type KafkaError } from './errors.ts';
import type { Pointer, Rdkafka } from './symbols.ts';
import { sleep } from './sleep.ts';

/** Longest a single call may block the JS thread. */
const STEP_MS = 5;

/**
 * Runs a resumable transactional call (init, commit, abort) in short steps: each step blocks at
 * most STEP_MS, and librdkafka resumes the same operation when called again after a retriable
 * error (_TIMED_OUT, or the latest retriable cause such as COORDINATOR_LOAD_IN_PROGRESS, which a
 * long call would have retried inside). Between steps the client's events are served, since a
 * commit waits for delivery reports that only the JS thread serves.
 */
export async function resumable(
  rdkafka: Rdkafka,
  step: (timeoutMs: number) => Pointer | bigint | null,
  timeoutMs: number,
  serve: () => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    serve();
    const error: KafkaError | null = takeError(rdkafka, step(Math.max(0, Math.min(STEP_MS, deadline - Date.now()))));
    if (!error) return;
    if (!error.isRetriable || Date.now() >= deadline) throw error;
    await sleep(1);
  }
}
