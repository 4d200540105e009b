/** Room taken by one request body while it is read; `release` is safe to call more than once. */
export interface Reservation {
  /** Takes `bytes` more; false (taking nothing) when the budget has no room for them. */
  grow(bytes: number): boolean;
  release(): void;
}

/**
 * Bounds the request body bytes being read at once over all connections, so many slow senders
 * declaring big bodies cannot make the worker hold them all in memory. A body is let through alone
 * even when it is larger than the whole budget: a budget below a connector's body limit throttles,
 * it does not refuse for good.
 */
export class ReadingBudget {
  private reserved = 0;

  constructor(readonly maxBytes: number) {}

  get usage(): number {
    return this.reserved;
  }

  /** A reservation holding nothing yet. */
  open(): Reservation {
    let held = 0;
    let released = false;
    return {
      grow: (bytes) => {
        if (released) return false;
        if (this.reserved > held && this.reserved + bytes > this.maxBytes) return false;
        this.reserved += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= held;
        held = 0;
      },
    };
  }
}

/** For readers outside the worker (the edge), where no budget is kept. */
export const UNBOUNDED: Reservation = { grow: () => true, release: () => {} };
