/** Orders two offsets of one source partition: negative, zero or positive. */
export type OffsetOrder = (a: string, b: string) => number;

interface PartitionProgress {
  stored: string | undefined;
  /** Offsets being written now, with how many writes hold each. */
  inFlight: Map<string, number>;
  /** Offsets whose write failed and that no retry has delivered yet. */
  holes: Set<string>;
  /** Highest delivered offset not yet safe to store. */
  delivered: string | undefined;
}

/**
 * The stored offset of each partition of a source whose offsets only grow (a CDC LSN): a record at
 * or below it was already written. It only advances past offsets known to be durable, never past
 * one still in flight or one that failed and was not retried yet, so a skipped record is always
 * a record Kafka has.
 */
export class SourceProgress {
  private readonly partitions = new Map<string, PartitionProgress>();

  constructor(private readonly order: OffsetOrder) {}

  private partition(name: string): PartitionProgress {
    let progress = this.partitions.get(name);
    if (!progress) {
      progress = { stored: undefined, inFlight: new Map(), holes: new Set(), delivered: undefined };
      this.partitions.set(name, progress);
    }
    return progress;
  }

  private max(a: string | undefined, b: string | undefined): string | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return this.order(a, b) >= 0 ? a : b;
  }

  /** Restores a stored offset (from the offsets topic). */
  restore(partition: string, offset: string): void {
    const progress = this.partition(partition);
    progress.stored = this.max(progress.stored, offset);
  }

  stored(partition: string): string | undefined {
    return this.partitions.get(partition)?.stored;
  }

  isWritten(partition: string, offset: string): boolean {
    const stored = this.partitions.get(partition)?.stored;
    return stored !== undefined && this.order(offset, stored) <= 0;
  }

  begin(partition: string, offset: string): void {
    const inFlight = this.partition(partition).inFlight;
    inFlight.set(offset, (inFlight.get(offset) ?? 0) + 1);
  }

  /** Ends one write of `offset`; returns the new stored offset when it advanced. */
  end(partition: string, offset: string, delivered: boolean): string | undefined {
    const progress = this.partition(partition);
    const holders = (progress.inFlight.get(offset) ?? 1) - 1;
    if (holders > 0) progress.inFlight.set(offset, holders);
    else progress.inFlight.delete(offset);
    if (delivered) {
      progress.holes.delete(offset);
      progress.delivered = this.max(progress.delivered, offset);
    } else progress.holes.add(offset);
    if (progress.inFlight.size > 0 || progress.holes.size > 0 || progress.delivered === undefined) return undefined;
    const before = progress.stored;
    progress.stored = this.max(progress.stored, progress.delivered);
    progress.delivered = undefined;
    return progress.stored !== before ? progress.stored : undefined;
  }
}
