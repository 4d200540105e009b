import type { DatabaseSinkConfig } from '../config/index.ts';
import type { TableChanges } from '../db/index.ts';
import type { ConsumedRecord } from '../records/index.ts';
import { errantRecord, type ErrantRecord } from './errors/index.ts';
import { toChanges } from './records.ts';
import { ErrantRecordError, type SinkRecord, type Transformation } from '../records/index.ts';
import { toSinkRecord } from './sink-record.ts';
import type { TargetLimits } from './table-targets.ts';

export interface Converted {
  consumed: ConsumedRecord;
  record: SinkRecord;
}

export interface Plan {
  /** Records that reach the database, in offset order. */
  records: Converted[];
  changes: TableChanges[];
  /** Records that can never be applied, with the stage that refused them. */
  errant: ErrantRecord[];
}

/**
 * Parses, transforms and plans one partition batch. A record that fails any step is set aside
 * as errant and the rest go on, so one poison record cannot hold up the others.
 */
export function planBatch(
  consumed: readonly ConsumedRecord[],
  config: DatabaseSinkConfig,
  limits: TargetLimits,
  transforms?: Transformation,
): Plan {
  const records: Converted[] = [];
  const errant: ErrantRecord[] = [];
  for (const item of consumed) {
    let record: SinkRecord | null;
    try {
      record = toSinkRecord(item);
    } catch (error) {
      errant.push(errantRecord(item, 'VALUE_CONVERTER', 'json', error));
      continue;
    }
    try {
      record = transforms ? transforms.apply(record) : record;
    } catch (error) {
      errant.push(errantRecord(item, 'TRANSFORMATION', 'transforms', error));
      continue;
    }
    if (record) records.push({ consumed: item, record });
  }
  // toChanges returns the records it cannot apply; they go aside with the stage that refused them.
  const planned = toChanges(records.map((r) => r.record), config, limits);
  if (planned.errant.length === 0) return { records, changes: planned.changes, errant };
  const converted = new Map(records.map((r) => [r.record, r]));
  const refused = new Set<Converted>();
  for (const { record, reason } of planned.errant) {
    const at = converted.get(record)!;
    refused.add(at);
    errant.push(errantRecord(at.consumed, 'TASK_PUT', 'database-sink', new ErrantRecordError(record, reason)));
  }
  return { records: records.filter((r) => !refused.has(r)), changes: planned.changes, errant };
}
