import type { SinkStore, StoredPosition, TableChanges, TablePolicy } from '../../src/db/index.ts';

export const BASIC: TablePolicy = { autoCreate: true, evolution: 'basic' };

/** Applies a batch as the sink does: its tables prepared (each shape resolved once), then one transaction. */
export async function commit(store: SinkStore, connector: string, changes: readonly TableChanges[], positions: readonly StoredPosition[], policy: TablePolicy = BASIC): Promise<void> {
  await store.commitBatch(connector, await store.prepareBatch(changes, policy), positions);
}
