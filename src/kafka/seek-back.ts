import type { ConsumerClient } from './librdkafka.ts';
import type { Lane } from './lanes.ts';
import { partitionKey } from './topic-partition.ts';
import type { Log } from '../log/index.ts';

/** A partition whose batch failed waits this long before its records are offered again. */
export const RETRY_PAUSE_MS = 1000;
/** How long a failed seek waits before the loop tries it again. */
const SEEK_RETRY_MS = 200;

/**
 * Marks a lane whose batch failed, to offer the batch again from `offset`: drops what was fetched
 * past it, including what a consume call already under way returns, until the loop has sought back.
 */
export function rewind(lane: Lane, offset: number): void {
  lane.queue = [];
  lane.seekTo = offset;
  lane.pausedUntil = Date.now() + RETRY_PAUSE_MS;
}

/** Seeks rewound lanes back. Runs between consume calls: librdkafka drops what it fetched before the seek. */
export async function seekBack(consumer: Pick<ConsumerClient, 'seek'>, lanes: Iterable<Lane>, log: Log): Promise<void> {
  for (const lane of lanes) {
    const offset = lane.seekTo;
    if (offset === undefined) continue;
    try {
      await new Promise<void>((resolve, reject) =>
        consumer.seek({ topic: lane.topic, partition: lane.partition, offset }, 5000, (error) => (error ? reject(error) : resolve())),
      );
      lane.seekTo = undefined;
    } catch (error) {
      log.warn(`seeking ${partitionKey(lane)} back to ${offset} failed, trying again: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, SEEK_RETRY_MS));
    }
  }
}
