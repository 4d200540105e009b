/**
 * Remembers the source offsets written recently, so a retried push is answered as a duplicate
 * instead of being written again. Bounded by age and by entry count; offsets still in flight are
 * held as claims that a concurrent retry waits on, so a failed first attempt never turns its retry
 * into a false "duplicate".
 */
export interface DedupeWindowOptions {
  windowMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Pending {
  settled: Promise<void>;
  release: () => void;
}

type Entry = { kind: 'written'; at: number } | ({ kind: 'pending' } & Pending);

export interface Claim {
  /** The record is durable: later pushes with this offset are duplicates. */
  commit(): void;
  /** The record was not written: a retry must be allowed to write it. */
  release(): void;
}

export type ClaimAttempt = { kind: 'claimed'; claim: Claim } | { kind: 'duplicate' } | { kind: 'busy'; settled: Promise<void> };

export class DedupeWindow {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: DedupeWindowOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records an offset known to be durable (restored state, or written elsewhere). */
  remember(key: string, at = this.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { kind: 'written', at });
    this.evict();
  }

  /** Whether `key` is known to be durable (not merely claimed) and still inside the window. */
  isWritten(key: string): boolean {
    const entry = this.entries.get(key);
    return entry?.kind === 'written' && this.now() - entry.at <= this.options.windowMs;
  }

  tryClaim(key: string): ClaimAttempt {
    const entry = this.entries.get(key);
    if (entry?.kind === 'pending') return { kind: 'busy', settled: entry.settled };
    if (entry?.kind === 'written') {
      if (this.now() - entry.at <= this.options.windowMs) return { kind: 'duplicate' };
      this.entries.delete(key);
    }
    let release!: () => void;
    const settled = new Promise<void>((resolve) => (release = resolve));
    const pending: Entry = { kind: 'pending', settled, release };
    this.entries.set(key, pending);
    const finish = (written: boolean) => {
      // remember() may have replaced the claim meanwhile; the waiters must wake either way.
      if (this.entries.get(key) === pending) {
        this.entries.delete(key);
        if (written) this.remember(key);
      }
      release();
    };
    return { kind: 'claimed', claim: { commit: () => finish(true), release: () => finish(false) } };
  }

  /** Drops entries past the window, then the oldest written ones past the count bound. */
  private evict(): void {
    const oldestKept = this.now() - this.options.windowMs;
    for (const [key, entry] of this.entries) {
      if (entry.kind === 'pending') continue;
      if (entry.at >= oldestKept && this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
