export interface InflightBounds {
  maxRecords: number;
  maxBytes: number;
}

/**
 * Bounds the records and bytes being written to Kafka at once. A push that would cross a bound is
 * refused (429) before anything of it is written, so memory stays bounded and senders throttle.
 */
export class InflightLimit {
  private records = 0;
  private bytes = 0;

  constructor(readonly bounds: InflightBounds) {}

  /** Records and bytes in flight now (for the metrics scrape). */
  get inflight(): { records: number; bytes: number } {
    return { records: this.records, bytes: this.bytes };
  }

  /** Takes room for a push, or returns null when there is none. One push is always let through alone. */
  tryAcquire(records: number, bytes: number): (() => void) | null {
    const idle = this.records === 0;
    if (!idle && (this.records + records > this.bounds.maxRecords || this.bytes + bytes > this.bounds.maxBytes)) return null;
    this.records += records;
    this.bytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.records -= records;
      this.bytes -= bytes;
    };
  }
}
