import type { DatabaseSinkConfig } from '../config/index.ts';
import type { SinkStore, StoredPosition, TableChanges } from '../db/index.ts';
import { tablePolicy } from './records.ts';

/** One transaction: the changes, then the position they advance `connector` to. */
export async function applyChanges(
  store: SinkStore,
  config: DatabaseSinkConfig,
  connector: string,
  changes: readonly TableChanges[],
  position: StoredPosition,
): Promise<void> {
  const batch = await store.prepareBatch(changes, tablePolicy(config));
  await store.commitBatch(connector, batch, [position]);
}

/**
 * Whether a batch that failed with its outcome unknown was committed after all, by the positions
 * `stored` once the store has settled it. The batch and all its positions were one transaction,
 * so either every position reached its end or none did; a mix means another writer moved some
 * partitions meanwhile, which nothing here can reconcile.
 */
export function batchLanded(stored: ReadonlyMap<string, number>, positions: readonly StoredPosition[]): boolean {
  const reached = positions.filter((p) => (stored.get(`${p.topic}/${p.partition}`) ?? -1) >= p.nextOffset);
  if (reached.length === 0) return false;
  if (reached.length === positions.length) return true;
  const names = positions.map((p) => `${p.topic}/${p.partition}`).join(', ');
  throw new Error(`stored positions of ${names} moved apart while a batch's outcome was unknown: another writer is at work`);
}

/**
 * applyChanges, retried through `retry` (which retries what it throws as it sees fit), never
 * applying twice: an attempt that failed may have committed with only its reply lost (append
 * tables would then get every row again), so before the next attempt the store settles it and
 * the stored positions say whether it landed.
 */
export async function applyChangesOnce(
  store: SinkStore,
  config: DatabaseSinkConfig,
  connector: string,
  changes: readonly TableChanges[],
  position: StoredPosition,
  retry: (attempt: () => Promise<void>) => Promise<void>,
): Promise<void> {
  let unsettled: { failure: unknown } | undefined;
  await retry(async () => {
    if (unsettled) {
      const stored = await store.settleOffsets(connector, [position], unsettled.failure);
      unsettled = undefined;
      if (batchLanded(stored, [position])) return;
    }
    try {
      await applyChanges(store, config, connector, changes, position);
    } catch (error) {
      unsettled = { failure: error };
      throw error;
    }
  });
}
