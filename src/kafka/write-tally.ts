import type { ProducerMeter } from '../metrics/index.ts';

/**
 * What both producers measure of their writes (the idempotent one to its delivery reports, the
 * transactional one to its transaction's outcome): the records awaiting that outcome, for the
 * queue gauge, and each write's time to it, for the delivery histogram.
 */
export class WriteTally {
  private awaiting = 0;

  constructor(private readonly meter: ProducerMeter | undefined) {}

  /** Records written and not yet resolved. */
  get depth(): number {
    return this.awaiting;
  }

  async track<T>(records: number, write: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.awaiting += records;
    try {
      return await write();
    } finally {
      this.awaiting -= records;
      this.meter?.delivered((performance.now() - started) / 1000);
    }
  }
}
