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
  for (const change of changes) {
    // Deletes and truncates alone never create a table: a missing one has nothing to remove.
    if (change.rows.length > 0) await store.prepareTable(change, tablePolicy(config));
  }
  await store.commitBatch(connector, changes, [position]);
}

/** Drizzle wraps driver errors ("Failed query: …"); the driver's own error says what is wrong. */
export function rootCause(error: Error): Error {
  let cause = error;
  for (let depth = 0; cause.cause instanceof Error && depth < 5; depth++) cause = cause.cause;
  return cause;
}
