/**
 * Tells a consume loop that librdkafka's consumer queue has something (records, a rebalance), so
 * the loop can call consume() with no timeout and wait here instead. A consume() that waits holds
 * one of libuv's four pool threads all the while; the worker runs several consumers, and a pool
 * full of waiting ones delayed everything else that needs it (the sink's records among them).
 */
export class QueueSignal {
  private signalled = false;
  private waiter: (() => void) | undefined;

  /** The consumer's `queue_non_empty_cb`: librdkafka calls it, on the JS thread, as the queue fills. */
  readonly notify = (): void => {
    this.signalled = true;
    this.wake();
  };

  /** Called before each consume(): a signal from then on means there may be more. */
  reset(): void {
    this.signalled = false;
  }

  /** Resolves at the next signal (at once if one came since reset()), or after `ms` in any case. */
  wait(ms: number): Promise<void> {
    if (this.signalled) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends a wait early (the loop is stopping). */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
