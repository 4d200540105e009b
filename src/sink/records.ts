import type { DatabaseSinkConfig } from '../config/index.ts';
import type { Row, UpsertSet } from '../db/index.ts';
import type { ConsumedRecord } from '../kafka/index.ts';

/** A record that can never be applied, with where it sits in Kafka. */
export class ErrantRecordError extends Error {
  override name = 'ErrantRecordError';
  constructor(
    readonly record: Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>,
    reason: string,
  ) {
    super(`${record.topic}/${record.partition}@${record.offset}: ${reason}`);
  }
}

export function tableName(format: string, topic: string): string {
  return format.replaceAll('${topic}', topic);
}

function rowOf(record: ConsumedRecord, config: DatabaseSinkConfig): Row {
  let value: unknown;
  try {
    value = JSON.parse(record.value!.toString('utf8'));
  } catch (error) {
    throw new ErrantRecordError(record, `value is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ErrantRecordError(record, 'value is not a JSON object');
  }
  const row = value as Row;
  const keyFields = config['primary.key.fields'];
  if (config['primary.key.mode'] === 'record_key') {
    if (record.key === null) throw new ErrantRecordError(record, 'record has no key (primary.key.mode=record_key)');
    return { ...row, [keyFields[0]!]: record.key.toString('utf8') };
  }
  for (const field of keyFields) {
    const key = row[field];
    if (key === undefined || key === null || typeof key === 'object') {
      throw new ErrantRecordError(record, `primary key field "${field}" is missing or not a scalar`);
    }
  }
  return row;
}

/**
 * Turns one partition's records into upserts, one set per target table, keeping only the latest
 * row per key: a multi-row upsert may not touch the same row twice, and the latest is what a
 * one-at-a-time apply would leave behind anyway.
 */
export function toUpserts(records: readonly ConsumedRecord[], config: DatabaseSinkConfig): UpsertSet[] {
  const keyColumns = config['primary.key.mode'] === 'record_key' ? [config['primary.key.fields'][0]!] : config['primary.key.fields'];
  const tables = new Map<string, Map<string, Row>>();
  for (const record of records) {
    if (record.value === null) continue; // Tombstones carry no row; deletes arrive with CDC sinks.
    const row = rowOf(record, config);
    const table = tableName(config['table.name.format'], record.topic);
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = new Map()));
    // 1 and "1" are one row once the database coerces them to the key column's type.
    const key = JSON.stringify(keyColumns.map((k) => String(row[k])));
    rows.delete(key);
    rows.set(key, row);
  }
  return [...tables].map(([table, rows]) => ({ table, keyColumns, rows: [...rows.values()] }));
}
