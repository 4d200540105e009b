import type { Log } from '../log/index.ts';

/** How often, at most, a sink task says at info what it applied. */
export const APPLIED_LOG_INTERVAL_MS = 10_000;
/** Trace ids one line names; the count says how many more there were. */
const MAX_TRACE_IDS = 20;

interface Applied {
  records: number;
  batches: number;
  traceIds: Set<string>;
  /** Trace contexts the batches carried, summed per batch (a push split over two batches counts twice). */
  traces: number;
}

/**
 * A sink task's info-level account of what it applied, at most one line per interval: the first
 * batch after a quiet interval at once, the ones after it summed into one line when the interval
 * ends. Each line names the traces its batches' records carried (up to MAX_TRACE_IDS, with their
 * count), so that at the default level an operator finds a push's trace id in the sink's log
 * without a line per batch (that one is at debug, with the batch's span and offsets).
 */
export class AppliedLog {
  private pending: Applied | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly log: Log,
    private readonly connector: string,
    private readonly intervalMs = APPLIED_LOG_INTERVAL_MS,
  ) {}

  /** One committed batch: `applied` records, and the trace ids its records carried. */
  add(applied: number, traceIds: readonly string[]): void {
    const pending = (this.pending ??= { records: 0, batches: 0, traceIds: new Set(), traces: 0 });
    pending.records += applied;
    pending.batches++;
    pending.traces += traceIds.length;
    for (const id of traceIds) if (pending.traceIds.size < MAX_TRACE_IDS) pending.traceIds.add(id);
    if (this.timer === undefined) {
      this.flush();
      this.arm();
    }
  }

  /** Says what is pending and stops the interval: the task stops. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.pending) return;
      this.flush();
      this.arm();
    }, this.intervalMs);
    // Never what keeps a process up.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private flush(): void {
    const applied = this.pending;
    if (!applied) return;
    this.pending = undefined;
    const traced = applied.traces > 0 ? { trace_ids: [...applied.traceIds], traces: applied.traces } : {};
    this.log.info(
      { applied: applied.records, batches: applied.batches, ...traced },
      `${this.connector}: applied ${applied.records} records in ${applied.batches} ${applied.batches === 1 ? 'batch' : 'batches'}`,
    );
  }
}
