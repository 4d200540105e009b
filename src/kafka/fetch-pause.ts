import type { ConsumerClient } from './librdkafka.ts';
import type { Lane, PartitionLanes } from './lanes.ts';
import { partitionKey } from './topic-partition.ts';
import type { Log } from '../log/index.ts';

/**
 * How long the buffer may stay full before the full partitions are paused. Under load the buffer
 * fills and drains within milliseconds, and a pause would throw away librdkafka's prefetch; a
 * buffer full this long means a batch is stuck (a database retrying), and the loop must go on
 * calling consume() or librdkafka drops the member after `max.poll.interval.ms`.
 */
const STALL_MS = 1000;

/**
 * Pauses fetching for partitions whose lanes stay full, and resumes it once they drain: a stuck
 * batch then holds back only its own partition, and the consumer keeps polling.
 */
export class FetchPause {
  private wakeWait: (() => void) | undefined;

  constructor(
    private readonly consumer: Pick<ConsumerClient, 'pause' | 'resume'>,
    private readonly lanes: PartitionLanes,
    private readonly maxBatchSize: number,
    private readonly concurrency: number,
    private readonly log: Log,
  ) {}

  /**
   * Run before each consume call: resumes lanes drained below a batch; with the buffer full, waits
   * for a batch to finish (or a wake) and after STALL_MS pauses the full lanes. False when the
   * loop should look at its work again before consuming.
   */
  async readyToConsume(): Promise<boolean> {
    this.setFetching([...this.lanes.all()].filter((lane) => lane.fetchPaused && lane.queue.length < this.maxBatchSize), true);
    if (!this.bufferFull()) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const woken = await new Promise<boolean>((resolve) => {
      this.wakeWait = () => resolve(true);
      timer = setTimeout(() => resolve(false), STALL_MS);
    });
    clearTimeout(timer);
    if (woken) return false;
    this.wakeWait = undefined;
    this.setFetching([...this.lanes.all()].filter((lane) => !lane.fetchPaused && lane.queue.length >= this.maxBatchSize), false);
    return !this.bufferFull();
  }

  /** Ends a wait for a full buffer early (a batch finished, a rebalance came, the loop stops). */
  wake(): void {
    this.wakeWait?.();
    this.wakeWait = undefined;
  }

  /** Resumes fetching for lanes given up: a partition handed back paused would stay paused for its next owner in this process. */
  release(lanes: readonly Lane[]): void {
    this.setFetching(lanes.filter((lane) => lane.fetchPaused), true);
  }

  /** Whether lanes that still fetch hold a batch for each running one and one more; a paused lane's records cannot grow. */
  private bufferFull(): boolean {
    let n = 0;
    for (const lane of this.lanes.all()) if (!lane.fetchPaused) n += lane.queue.length;
    return n >= this.maxBatchSize * (this.concurrency + 1);
  }

  /**
   * Pauses or resumes fetching for lanes, between consume calls. A paused partition's records
   * already fetched are dropped by librdkafka, and fetching resumes after the last record handed
   * out, so nothing is skipped.
   */
  private setFetching(lanes: readonly Lane[], fetching: boolean): void {
    if (lanes.length === 0) return;
    const partitions = lanes.map((lane) => ({ topic: lane.topic, partition: lane.partition }));
    try {
      if (fetching) this.consumer.resume(partitions);
      else this.consumer.pause(partitions);
      for (const lane of lanes) lane.fetchPaused = !fetching;
    } catch (error) {
      this.log.warn(`${fetching ? 'resuming' : 'pausing'} ${partitions.map(partitionKey).join(', ')} failed: ${(error as Error).message}`);
    }
  }
}
