import type { DatabaseSinkConfig } from '../config/index.ts';
import { isTransientDbError, type SinkStore, type StoredPosition } from '../db/index.ts';
import { readTopicBatches, topicPartitions } from '../kafka/index.ts';
import { rootCause } from '../errors/index.ts';
import { applyChanges, batchLanded, DLQ_HEADERS, planBatch, RetryWithToleranceOperator, type ToleranceSettings } from '../sink/index.ts';
import type { Transformation } from '../records/index.ts';
import type { Log } from '../log/index.ts';

export interface ReplayOptions {
  brokers: string;
  connector: string;
  config: DatabaseSinkConfig;
  store: SinkStore;
  transforms?: Transformation;
  /** Most records one call replays. */
  limit?: number;
  /** Replay only letters at or below this offset of each partition (the ones after wait: `more`). */
  throughOffset?: number;
  /** Most letters read into memory at once (default 500). */
  batchSize?: number;
  /** Called with the size of each batch of letters read (for metrics). */
  onBatch?: (letters: number) => void;
  /** Where the Kafka clients' librdkafka logs go. */
  log: Log;
}

const DEFAULT_REPLAY_BATCH = 500;

export interface ReplayResult {
  replayed: number;
  /** The first dead letter that still cannot be applied; the replay stopped there. */
  blocked: { partition: number; offset: number; error: string } | null;
  /** True when `limit` stopped the replay before the end of the topic. */
  more: boolean;
}

/** Whether a letter whose commit failed landed all the same; false while that cannot be told. */
async function landedDespite(store: SinkStore, id: string, position: StoredPosition, failure: unknown): Promise<boolean> {
  try {
    return batchLanded(await store.settleOffsets(id, [position], failure), [position]);
  } catch {
    // The database is still out of reach: the letter stays blocked, and the next replay starts
    // from whatever position the database holds.
    return false;
  }
}

/**
 * A replay tolerates nothing and retries nothing, whatever the connector's errors.* settings: a
 * letter that still fails stops the replay at itself, so none is skipped, and a commit whose reply
 * was lost is settled by the stored position rather than tried again.
 */
const REPLAY_TOLERANCE: ToleranceSettings = { tolerance: 'none', retryTimeoutMs: 0, maxRetryDelayMs: 1 };

/** Where a connector's replay of its dead letters has got to, kept beside the sink's own positions. */
export const replayConnector = (connector: string) => `${connector}.dlq-replay`;

/**
 * Applies a sink connector's dead letters (after the cause was fixed) as if they had arrived on
 * their original topics. Each one commits together with the replay's position in the target
 * database, so replaying again, or after a crash, applies nothing twice; a letter that still
 * fails stops the replay at itself, so none is skipped.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const topic = options.config['errors.deadletterqueue.topic.name'];
  if (!topic) throw new Error(`connector ${options.connector} has no errors.deadletterqueue.topic.name`);
  const id = replayConnector(options.connector);
  const partitions = (await topicPartitions(options.brokers, [topic], options.log)).get(topic) ?? [];
  const stored = await options.store.readOffsets(id, partitions.map((partition) => ({ topic, partition })));
  const fromOffsets = new Map(partitions.map((p) => [p, stored.get(`${topic}/${p}`) ?? 0]));
  const limit = options.limit ?? 10_000;
  const blockedPartitions = new Set<number>();
  let replayed = 0;
  let blocked: ReplayResult['blocked'] = null;
  let more = false;
  const errors = new RetryWithToleranceOperator(REPLAY_TOLERANCE);
  // One batch at a time: a topic of many letters is never held whole.
  await readTopicBatches(
    options.brokers,
    [{ topic, fromOffsets }],
    async (letters, drop) => {
      options.onBatch?.(letters.length);
      for (const letter of letters) {
        if (blockedPartitions.has(letter.partition)) continue;
        if (options.throughOffset !== undefined && letter.offset > options.throughOffset) {
          // Positions only move forward: what lies past the asked offset waits for a later replay.
          more = true;
          drop(topic, letter.partition);
          continue;
        }
        if (replayed >= limit) {
          more = true;
          return false;
        }
        // Applied as the record it was: its original topic names its table.
        const original = { ...letter, topic: letter.headers[DLQ_HEADERS.topic] ?? letter.topic };
        const plan = planBatch([original], options.config, options.store, options.transforms);
        const position = { topic, partition: letter.partition, nextOffset: letter.offset + 1 };
        try {
          await errors.tolerate(plan.errant);
          await errors.execute(() => applyChanges(options.store, options.config, id, plan.changes, position));
          replayed++;
        } catch (error) {
          // A lost reply may hide a commit: then the letter is replayed, and the next one follows.
          if (isTransientDbError(error) && (await landedDespite(options.store, id, position, error))) {
            replayed++;
            continue;
          }
          blockedPartitions.add(letter.partition);
          drop(topic, letter.partition);
          blocked ??= { partition: letter.partition, offset: letter.offset, error: rootCause(error).message };
        }
      }
      return true;
    },
    { batchSize: options.batchSize ?? DEFAULT_REPLAY_BATCH, log: options.log },
  );
  return { replayed, blocked, more };
}
