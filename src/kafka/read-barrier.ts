/**
 * Read-your-cluster's-writes for a follower of a log: `pass()` resolves once the follower has read
 * everything the log held when pass() was called, including what other processes wrote.
 *
 * Finding where the log ends takes a round trip to the broker. A call that arrives while such a
 * query is in flight cannot use its answer (the query may have left before a write that was
 * acknowledged just before the call), so it joins the next query, which starts as soon as the one
 * in flight returns. So at most one query is in flight, every call waits for at most two, and all
 * the calls arriving meanwhile share one round trip and one wait for the follower.
 */
export class ReadBarrier<End> {
  private querying = false;
  /** The pass that callers arriving now join; it starts once no query is in flight. */
  private next: { passed: Promise<void>; start: () => void } | undefined;

  constructor(
    /** Asks the broker where the log ends now. */
    private readonly queryEnd: () => Promise<End>,
    /** Resolves once the follower has read up to `end`. */
    private readonly reach: (end: End) => Promise<void>,
  ) {}

  pass(): Promise<void> {
    if (!this.next) {
      let start!: () => void;
      const passed = new Promise<void>((resolve, reject) => {
        start = () => {
          this.querying = true;
          const end = new Promise<End>((settle) => settle(this.queryEnd()));
          void end.then(
            () => this.queryDone(),
            () => this.queryDone(),
          );
          end.then((value) => this.reach(value)).then(resolve, reject);
        };
      });
      this.next = { passed, start };
    }
    const { passed } = this.next;
    // Calls made in the same turn (a batch of requests parsed together) join the same query.
    queueMicrotask(() => this.startNext());
    return passed;
  }

  private queryDone(): void {
    this.querying = false;
    this.startNext();
  }

  private startNext(): void {
    if (this.querying || !this.next) return;
    const { start } = this.next;
    this.next = undefined;
    start();
  }
}
