import type { DatabaseSinkConfig } from '../config/index.ts';
import { isJsonDecimal, stringifyJson } from '../json/index.ts';
import type { ColumnKind, Row, TableChanges, TablePolicy } from '../db/index.ts';
import { convertRow, rowSchemaOf, structColumns, type FieldColumn } from './connect-schema.ts';
import { isChangeOp, isObject, isSchemaWrapper, type SinkRecord } from '../records/index.ts';
import { TableTargets, UNLIMITED, type TargetLimits } from './table-targets.ts';

const PLACEHOLDER = /\$\{(topic|source\.db|source\.schema|source\.table)\}/g;

/**
 * The table a record goes to: `format` with `${topic}` (after taking off the first of
 * `stripPrefixes` the topic starts with) and `${source.db}`, `${source.schema}`, `${source.table}`
 * from a Debezium `source` block. Undefined when the format needs a source field the record lacks.
 */
export function tableName(
  format: string,
  topic: string,
  { source, stripPrefixes = [] }: { source?: Row | undefined; stripPrefixes?: readonly string[] } = {},
): string | undefined {
  const prefix = stripPrefixes.find((p) => topic.startsWith(p) && topic.length > p.length);
  const values: Record<string, unknown> = {
    topic: prefix ? topic.slice(prefix.length) : topic,
    'source.db': source?.db,
    'source.schema': source?.schema,
    'source.table': source?.table,
  };
  let missing = false;
  const name = format.replaceAll(PLACEHOLDER, (_, placeholder: string) => {
    const value = values[placeholder];
    if (typeof value !== 'string' || value === '') missing = true;
    return String(value);
  });
  return missing ? undefined : name;
}

/** The table policy a sink connector's config sets (auto.create, schema.evolution, table.max.columns). */
export function tablePolicy(config: DatabaseSinkConfig): TablePolicy {
  return { autoCreate: config['auto.create'], evolution: config['schema.evolution'], maxColumns: config['table.max.columns'] };
}

/** What one record does to its table. */
type Change =
  | { kind: 'upsert'; row: Row; keyColumns: readonly string[]; columns?: Map<string, FieldColumn> }
  | { kind: 'delete'; key: Row; keyColumns: readonly string[] }
  | { kind: 'truncate' }
  | { kind: 'skip' }
  | Refusal;

/** Why a record can never be applied. */
interface Refusal {
  kind: 'errant';
  reason: string;
}

const refuse = (reason: string): Refusal => ({ kind: 'errant', reason });

/** The key columns' values a record addresses, or why it addresses none. */
type Keyed = { kind: 'key'; key: Row } | Refusal;

/** A record that can never be applied, and why; the rest of its batch is applied without it. */
export interface ErrantChange {
  record: SinkRecord;
  reason: string;
}

/** What a batch of records does to its tables, and the records it cannot apply. */
export interface PlannedChanges {
  changes: TableChanges[];
  errant: ErrantChange[];
}

const isScalar = (value: unknown) => value !== undefined && value !== null && (typeof value !== 'object' || isJsonDecimal(value));

/** Kafka Connect's JsonConverter with schemas wraps every key and value as `{schema, payload}`. */
function unwrap(value: unknown): { payload: unknown; schema?: unknown } {
  if (isSchemaWrapper(value)) return { payload: value.payload, schema: value.schema };
  return { payload: value };
}

/**
 * A Debezium change event: an `op` Debezium uses and a `source` block. A plain row that happens
 * to have both fields is read as one too; such tables need a transform first.
 */
function isEnvelope(value: Row): boolean {
  return isChangeOp(value.op) && isObject(value.source);
}

const keyText = (key: unknown) => (typeof key === 'string' ? key : stringifyJson(key));

/**
 * The key columns a Kafka key addresses: the named fields of a JSON object key (all of its fields
 * when none are named, as the debezium source writes it, `{"id":1}`), else the key itself as the
 * one named key column's value.
 */
function keyFromRecordKey(record: SinkRecord, named: readonly string[]): Keyed {
  if (record.key === null || record.key === undefined) return refuse('record has no key');
  const { payload: key, schema } = unwrap(record.key);
  if (isObject(key)) {
    const fields = named.length > 0 ? named : Object.keys(key);
    if (fields.length === 0 || !fields.every((k) => isScalar(key[k]))) {
      return refuse(`key ${keyText(key)} does not hold the key fields ${fields.join(', ') || '(none)'}`);
    }
    const row = Object.fromEntries(fields.map((k) => [k, key[k]]));
    const keySchema = rowSchemaOf(schema);
    return { kind: 'key', key: keySchema ? convertRow(row, structColumns(keySchema)) : row };
  }
  if (!isScalar(key)) return refuse(`key ${keyText(key)} is neither a JSON object nor a scalar`);
  if (named.length === 1) return { kind: 'key', key: { [named[0]!]: key } };
  if (named.length === 0) return refuse(`key ${keyText(key)} is not a JSON object: primary.key.fields must name its column`);
  return refuse(`key ${keyText(key)} does not hold the key fields ${named.join(', ')}`);
}

function keyFromRow(row: Row, keyColumns: readonly string[]): Keyed {
  const missing = keyColumns.find((field) => !isScalar(row[field]));
  if (missing !== undefined) return refuse(`primary key field "${missing}" is missing or not a scalar`);
  return { kind: 'key', key: Object.fromEntries(keyColumns.map((k) => [k, row[k]])) };
}

/** A row to write, with its key columns, as primary.key.mode says. */
function upsertOf(record: SinkRecord, row: Row, config: DatabaseSinkConfig, columns: Map<string, FieldColumn> | undefined): Change {
  const converted = columns ? convertRow(row, columns) : row;
  const base = columns ? { columns } : {};
  switch (config['primary.key.mode']) {
    case 'none':
      return { kind: 'upsert', row: converted, keyColumns: [], ...base };
    case 'record_key': {
      if (record.key === null || record.key === undefined) return refuse('record has no key (primary.key.mode=record_key)');
      const keyed = keyFromRecordKey(record, config['primary.key.fields']);
      if (keyed.kind === 'errant') return keyed;
      return { kind: 'upsert', row: { ...converted, ...keyed.key }, keyColumns: Object.keys(keyed.key), ...base };
    }
    default: {
      const keyed = keyFromRow(converted, config['primary.key.fields']);
      if (keyed.kind === 'errant') return keyed;
      return { kind: 'upsert', row: converted, keyColumns: config['primary.key.fields'], ...base };
    }
  }
}

function deleteOf(record: SinkRecord, config: DatabaseSinkConfig, before?: unknown, columns?: Map<string, FieldColumn>): Change {
  if (!config['delete.enabled']) return { kind: 'skip' };
  if (config['primary.key.mode'] === 'none') {
    return refuse('a delete cannot be applied with primary.key.mode=none (rows have no key); set delete.enabled=false to skip deletes');
  }
  const named = config['primary.key.fields'];
  // A delete whose before image lacks the key (REPLICA IDENTITY NOTHING) falls back to the Kafka key.
  if (config['primary.key.mode'] === 'record_value' && isObject(before) && named.every((k) => isScalar(before[k]))) {
    const keyed = keyFromRow(columns ? convertRow(before, columns) : before, named);
    return keyed.kind === 'errant' ? keyed : { kind: 'delete', key: keyed.key, keyColumns: named };
  }
  const keyed = keyFromRecordKey(record, named);
  return keyed.kind === 'errant' ? keyed : { kind: 'delete', key: keyed.key, keyColumns: Object.keys(keyed.key) };
}

function changeOf(record: SinkRecord, config: DatabaseSinkConfig): Change {
  // A tombstone: the key's row is gone. Without a key there is nothing it could address.
  if (record.value === null || record.value === undefined) {
    return record.key === null || record.key === undefined ? { kind: 'skip' } : deleteOf(record, config);
  }
  const { payload: value, schema } = unwrap(record.value);
  if (!isObject(value)) return refuse('value is not a JSON object');
  if (!isEnvelope(value)) {
    const rowSchema = rowSchemaOf(schema);
    return upsertOf(record, value, config, rowSchema && structColumns(rowSchema));
  }
  const columnsOf = (field: 'before' | 'after') => {
    const rowSchema = rowSchemaOf(schema, field);
    return rowSchema && structColumns(rowSchema);
  };
  switch (value.op) {
    case 't':
      return config['truncate.enabled'] ? { kind: 'truncate' } : { kind: 'skip' };
    case 'd':
      return deleteOf(record, config, value.before, columnsOf('before'));
    default:
      if (!isObject(value.after)) return refuse(`change event (op ${value.op}) has no "after" row`);
      return upsertOf(record, value.after, config, columnsOf('after'));
  }
}

/** The columns a change names: a row's fields (and the ones its schema declares) or a key's. */
function fieldsOf(change: Change): Iterable<string> {
  switch (change.kind) {
    case 'upsert':
      return new Set([...Object.keys(change.row), ...(change.columns?.keys() ?? []), ...change.keyColumns]);
    case 'delete':
      return Object.keys(change.key);
    default:
      return [];
  }
}

/** The Debezium `source` block of a record's value, if it has one. */
function sourceOf(record: SinkRecord): Row | undefined {
  const { payload } = unwrap(record.value);
  return isObject(payload) && isEnvelope(payload) ? (payload.source as Row) : undefined;
}

/** The latest change per key of one table, in the order keys last changed; every row without a key. */
class TableBatch {
  /** Keyed by the key's values as strings: 1 and "1" are one row once the database coerces them. */
  private readonly latest = new Map<string, { kind: 'upsert'; row: Row } | { kind: 'delete'; key: Row }>();
  /** Rows of a table without a key (primary.key.mode=none): each one is appended. */
  private readonly appended: Row[] = [];
  private readonly columnTypes = new Map<string, ColumnKind>();
  private keyColumns: readonly string[] | undefined;
  private truncate = false;

  private identity(row: Row, keyColumns: readonly string[]): string {
    return JSON.stringify(keyColumns.map((k) => String(row[k])));
  }

  /** Takes in one record's change; the reason it cannot when the change does not fit the table. */
  apply(change: Exclude<Change, Refusal>): string | undefined {
    if (change.kind === 'skip') return undefined;
    if (change.kind === 'truncate') {
      // Everything before the truncate is gone with it.
      this.latest.clear();
      this.appended.length = 0;
      this.truncate = true;
      return undefined;
    }
    this.keyColumns ??= change.keyColumns;
    if (change.keyColumns.join('\u0000') !== this.keyColumns.join('\u0000')) {
      return `key columns ${change.keyColumns.join(', ') || '(none)'} differ from the table's (${this.keyColumns.join(', ') || 'none'})`;
    }
    if (change.kind === 'upsert') {
      for (const [column, { kind }] of change.columns ?? []) if (!this.columnTypes.has(column)) this.columnTypes.set(column, kind);
      if (this.keyColumns.length === 0) {
        this.appended.push(change.row);
        return undefined;
      }
    }
    const id = this.identity(change.kind === 'upsert' ? change.row : change.key, this.keyColumns);
    this.latest.delete(id);
    this.latest.set(id, change.kind === 'upsert' ? { kind: 'upsert', row: change.row } : { kind: 'delete', key: change.key });
    return undefined;
  }

  changes(table: string, fallbackKeyColumns: readonly string[]): TableChanges {
    const rows: Row[] = [...this.appended];
    const deletes: Row[] = [];
    for (const change of this.latest.values()) {
      if (change.kind === 'upsert') rows.push(change.row);
      else deletes.push(change.key);
    }
    return {
      table,
      keyColumns: this.keyColumns ?? fallbackKeyColumns,
      rows,
      ...(deletes.length > 0 ? { deletes } : {}),
      ...(this.truncate ? { truncate: true } : {}),
      ...(this.columnTypes.size > 0 ? { columnTypes: this.columnTypes } : {}),
    };
  }
}

/**
 * Turns one partition's parsed (and transformed) records into what each target table must become:
 * rows to upsert, keys to delete and whether to truncate first. Only the last change per key is
 * kept (a multi-row upsert may not touch one row twice, and the last is what a one-at-a-time apply
 * leaves behind), so a delete after an upsert of a key wins, and so does an upsert after a delete;
 * with primary.key.mode=none every row is appended. Debezium envelopes are applied by their `op`;
 * any other JSON object is a row to upsert. A `{schema, payload}` value's schema types the columns.
 * A record that can never be applied, including one that would go to a table it may not
 * (TableTargets) or name a column the database cannot keep, is returned as errant with the reason,
 * in offset order; it changes nothing, and the others are planned as if it were not there.
 */
export function toChanges(records: readonly SinkRecord[], config: DatabaseSinkConfig, limits: TargetLimits = UNLIMITED): PlannedChanges {
  const format = config['table.name.format'];
  const targets = new TableTargets(config, limits);
  const needsSource = format.includes('${source.');
  const tables = new Map<string, TableBatch>();
  /** Adds one record's change to its table's batch; the reason it cannot be applied, if any. */
  const plan = (record: SinkRecord): string | undefined => {
    const change = changeOf(record, config);
    if (change.kind === 'errant') return change.reason;
    if (change.kind === 'skip') return undefined;
    // A tombstone has no source block to route by; the delete event before it did the delete.
    if (needsSource && (record.value === null || record.value === undefined)) return undefined;
    const table = tableName(format, record.topic, { source: sourceOf(record), stripPrefixes: config['topic.prefix.strip'] });
    if (table === undefined) return `table.name.format ${format} needs a Debezium source block the record does not have`;
    const refused = targets.refusal(table, fieldsOf(change));
    if (refused !== undefined) return refused;
    let batch = tables.get(table);
    if (!batch) tables.set(table, (batch = new TableBatch()));
    // A new batch takes any change, so no table is planned for an errant record alone.
    return batch.apply(change);
  };
  const errant: ErrantChange[] = [];
  for (const record of records) {
    const reason = plan(record);
    if (reason !== undefined) errant.push({ record, reason });
  }
  const fallback = config['primary.key.mode'] === 'none' ? [] : config['primary.key.fields'];
  return { changes: [...tables].map(([table, batch]) => batch.changes(table, fallback)), errant };
}
