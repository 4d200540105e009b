import type { DatabaseSinkConfig } from '../config/index.ts';
import type { Row, TableChanges } from '../db/index.ts';
import type { ConsumedRecord } from '../kafka/index.ts';
import { ErrantRecordError } from './sink-record.ts';

export { ErrantRecordError };


export function tableName(format: string, topic: string): string {
  return format.replaceAll('${topic}', topic);
}

/** What one record does to its table. */
type Change = { kind: 'upsert'; row: Row } | { kind: 'delete'; key: Row } | { kind: 'truncate' } | { kind: 'skip' };

const ENVELOPE_OPS = new Set(['c', 'u', 'd', 'r', 't']);

const isObject = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown) => value !== undefined && value !== null && typeof value !== 'object';

/** Kafka Connect's JsonConverter with schemas wraps every key and value as `{schema, payload}`. */
function unwrap(value: unknown): unknown {
  if (isObject(value) && Object.keys(value).length === 2 && 'schema' in value && 'payload' in value) return value.payload;
  return value;
}

/**
 * A Debezium change event: an `op` Debezium uses and a `source` block. A plain row that happens
 * to have both fields is read as one too; such tables need a transform first.
 */
function isEnvelope(value: Row): boolean {
  return typeof value.op === 'string' && ENVELOPE_OPS.has(value.op) && isObject(value.source);
}

function parseValue(record: ConsumedRecord): unknown {
  try {
    return unwrap(JSON.parse(record.value!.toString('utf8')));
  } catch (error) {
    throw new ErrantRecordError(record, `value is not JSON (${(error as Error).message})`);
  }
}

/**
 * The key columns a Kafka key addresses: the named fields of a JSON object key (as the debezium
 * source writes it, `{"id":1}`), else the key's text as the one key column's value (as
 * `primary.key.mode=record_key` always took it).
 */
function keyFromRecordKey(record: ConsumedRecord, keyColumns: readonly string[]): Row {
  if (record.key === null) throw new ErrantRecordError(record, 'record has no key');
  const text = record.key.toString('utf8');
  let parsed: unknown = text;
  try {
    parsed = unwrap(JSON.parse(text));
  } catch {
    // Not JSON: a plain string key.
  }
  if (isObject(parsed) && keyColumns.every((k) => isScalar(parsed[k]))) {
    return Object.fromEntries(keyColumns.map((k) => [k, parsed[k]]));
  }
  if (keyColumns.length === 1) return { [keyColumns[0]!]: text };
  throw new ErrantRecordError(record, `key ${text} does not hold the key fields ${keyColumns.join(', ')}`);
}

function keyFromRow(record: ConsumedRecord, row: Row, keyColumns: readonly string[]): Row {
  for (const field of keyColumns) {
    if (!isScalar(row[field])) throw new ErrantRecordError(record, `primary key field "${field}" is missing or not a scalar`);
  }
  return Object.fromEntries(keyColumns.map((k) => [k, row[k]]));
}

function rowOf(record: ConsumedRecord, row: Row, config: DatabaseSinkConfig, keyColumns: readonly string[]): Row {
  if (config['primary.key.mode'] === 'record_key') {
    if (record.key === null) throw new ErrantRecordError(record, 'record has no key (primary.key.mode=record_key)');
    return { ...row, ...keyFromRecordKey(record, keyColumns) };
  }
  keyFromRow(record, row, keyColumns);
  return row;
}

function changeOf(record: ConsumedRecord, config: DatabaseSinkConfig, keyColumns: readonly string[]): Change {
  const deletes = config['delete.enabled'];
  // A tombstone: the key's row is gone. Without a key there is nothing it could address.
  if (record.value === null) return deletes && record.key !== null ? { kind: 'delete', key: keyFromRecordKey(record, keyColumns) } : { kind: 'skip' };
  const value = parseValue(record);
  if (!isObject(value)) throw new ErrantRecordError(record, 'value is not a JSON object');
  if (!isEnvelope(value)) return { kind: 'upsert', row: rowOf(record, value, config, keyColumns) };
  switch (value.op) {
    case 't':
      return config['truncate.enabled'] ? { kind: 'truncate' } : { kind: 'skip' };
    case 'd': {
      if (!deletes) return { kind: 'skip' };
      const before = value.before;
      const fromBefore = config['primary.key.mode'] === 'record_value' && isObject(before) && keyColumns.every((k) => isScalar(before[k]));
      return { kind: 'delete', key: fromBefore ? keyFromRow(record, before, keyColumns) : keyFromRecordKey(record, keyColumns) };
    }
    default:
      if (!isObject(value.after)) throw new ErrantRecordError(record, `change event (op ${value.op}) has no "after" row`);
      return { kind: 'upsert', row: rowOf(record, value.after, config, keyColumns) };
  }
}

/** The latest change per key of one table, in the order keys last changed. */
class TableBatch {
  /** Keyed by the key's values as strings: 1 and "1" are one row once the database coerces them. */
  readonly latest = new Map<string, { kind: 'upsert'; row: Row } | { kind: 'delete'; key: Row }>();
  truncate = false;

  constructor(private readonly keyColumns: readonly string[]) {}

  private identity(row: Row): string {
    return JSON.stringify(this.keyColumns.map((k) => String(row[k])));
  }

  apply(change: Change): void {
    if (change.kind === 'truncate') {
      // Everything before the truncate is gone with it.
      this.latest.clear();
      this.truncate = true;
    } else if (change.kind === 'upsert' || change.kind === 'delete') {
      const id = this.identity(change.kind === 'upsert' ? change.row : change.key);
      this.latest.delete(id);
      this.latest.set(id, change);
    }
  }

  changes(table: string): TableChanges {
    const rows: Row[] = [];
    const deletes: Row[] = [];
    for (const change of this.latest.values()) {
      if (change.kind === 'upsert') rows.push(change.row);
      else deletes.push(change.key);
    }
    return {
      table,
      keyColumns: this.keyColumns,
      rows,
      ...(deletes.length > 0 ? { deletes } : {}),
      ...(this.truncate ? { truncate: true } : {}),
    };
  }
}

/**
 * Turns one partition's records into what each target table must become: rows to upsert, keys to
 * delete and whether to truncate first. Only the last change per key is kept (a multi-row upsert
 * may not touch one row twice, and the last is what a one-at-a-time apply leaves behind), so a
 * delete after an upsert of a key wins, and so does an upsert after a delete. Debezium envelopes
 * are applied by their `op`; any other JSON object is a row to upsert.
 */
export function toChanges(records: readonly ConsumedRecord[], config: DatabaseSinkConfig): TableChanges[] {
  const keyColumns = config['primary.key.mode'] === 'record_key' ? [config['primary.key.fields'][0]!] : config['primary.key.fields'];
  const tables = new Map<string, TableBatch>();
  for (const record of records) {
    const change = changeOf(record, config, keyColumns);
    if (change.kind === 'skip') continue;
    const table = tableName(config['table.name.format'], record.topic);
    let batch = tables.get(table);
    if (!batch) tables.set(table, (batch = new TableBatch(keyColumns)));
    batch.apply(change);
  }
  return [...tables].map(([table, batch]) => batch.changes(table));
}
