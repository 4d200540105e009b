// Debezium's ExtractNewRecordState: replaces a change event envelope with its `after` row.
// Deletes and tombstones follow `delete.tombstone.handling.mode` (Debezium 2.5+), or, when only
// the older keys are set, `delete.handling.mode` + `drop.tombstones` as Debezium reads them:
//   drop                   deletes and tombstones are dropped
//   tombstone (default)    a delete becomes a tombstone (null value, same key); tombstones dropped
//   rewrite                a delete becomes its `before` row with `__deleted: "true"` (other rows
//                          get "false"); tombstones dropped
//   rewrite-with-tombstone as rewrite, and tombstones are kept
// A truncate (no before, no after) is dropped, as Debezium does. Values that are not envelopes
// pass unchanged. A `{schema, payload}` wrapper is taken off; the result carries no schema.
import * as v from 'valibot';
import { stringifyJson } from '../json/index.ts';
import { anyListSetting, boolSetting, choice, optionalString } from './settings.ts';
import { isChangeOp, isObject } from '../records/index.ts';
import { TransformError, withoutSchemaWrapper, type SinkRecord, type TransformPlugin } from './types.ts';

const DELETED_FIELD = '__deleted';
/** Unqualified names Debezium reads from the envelope itself or its `transaction` block; the rest are `source` fields. */
const ENVELOPE_FIELDS = new Set(['op', 'ts_ms', 'ts_us', 'ts_ns']);
const TRANSACTION_FIELDS = new Set(['id', 'total_order', 'data_collection_order']);

/** `op`, `table`, `source.ts_ms`, or renamed: `source.ts_ms:event_ts`. */
interface FieldReference {
  struct: string | undefined;
  field: string;
  name: string;
}

const fieldReferences = v.pipe(
  anyListSetting,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const references: { struct: string | undefined; field: string; rename: string | undefined }[] = [];
    for (const spec of dataset.value) {
      const [path, rename, extra] = spec.split(':').map((s) => s.trim());
      const [first, second, deeper] = path!.split('.');
      if (extra !== undefined || deeper !== undefined || !first || second === '' || rename === '') {
        addIssue({ message: `has an invalid field "${spec}" (expected field, struct.field, or either with :new_name)` });
        return NEVER;
      }
      const struct = second !== undefined ? first : ENVELOPE_FIELDS.has(first) ? undefined : TRANSACTION_FIELDS.has(first) ? 'transaction' : 'source';
      references.push({ struct, field: second ?? first, rename: rename ?? (second !== undefined ? `${first}_${second}` : undefined) });
    }
    return references;
  }),
);

const ExtractNewRecordStateOptions = v.pipe(
  v.object({
    'delete.tombstone.handling.mode': v.optional(choice(['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone'])),
    'delete.handling.mode': v.optional(choice(['drop', 'rewrite', 'none'])),
    'drop.tombstones': v.optional(boolSetting),
    'add.fields': v.optional(fieldReferences, ''),
    'add.fields.prefix': v.optional(v.string(), '__'),
    'add.headers': v.optional(fieldReferences, ''),
    'add.headers.prefix': v.optional(v.string(), '__'),
    'route.by.field': optionalString,
  }),
  v.transform((options) => {
    const named = (prefix: string) => (r: { struct: string | undefined; field: string; rename: string | undefined }): FieldReference => ({
      struct: r.struct,
      field: r.field,
      name: prefix + (r.rename ?? r.field),
    });
    return {
      ...deleteHandling(options),
      fields: options['add.fields'].map(named(options['add.fields.prefix'])),
      headers: options['add.headers'].map(named(options['add.headers.prefix'])),
      routeByField: options['route.by.field'],
    };
  }),
);

type Options = v.InferOutput<typeof ExtractNewRecordStateOptions>;

function deleteHandling(options: {
  'delete.tombstone.handling.mode'?: 'drop' | 'tombstone' | 'rewrite' | 'rewrite-with-tombstone' | undefined;
  'delete.handling.mode'?: 'drop' | 'rewrite' | 'none' | undefined;
  'drop.tombstones'?: boolean | undefined;
}): { deletes: 'drop' | 'tombstone' | 'rewrite'; keepTombstones: boolean } {
  const mode = options['delete.tombstone.handling.mode'];
  if (mode !== undefined) {
    return mode === 'rewrite-with-tombstone' ? { deletes: 'rewrite', keepTombstones: true } : { deletes: mode, keepTombstones: false };
  }
  const legacy = options['delete.handling.mode'];
  if (legacy !== undefined || options['drop.tombstones'] !== undefined) {
    return { deletes: legacy === 'none' ? 'tombstone' : (legacy ?? 'drop'), keepTombstones: !(options['drop.tombstones'] ?? true) };
  }
  return { deletes: 'tombstone', keepTombstones: false };
}

function isEnvelope(value: unknown): value is Record<string, unknown> & { op: string } {
  return isObject(value) && isChangeOp(value.op) && isObject(value.source);
}

/** The referenced value, or undefined when the envelope has no such field at all. */
function lookUp(envelope: Record<string, unknown>, reference: FieldReference): unknown {
  if (reference.struct === undefined) return envelope[reference.field];
  const parent = envelope[reference.struct];
  if (isObject(parent) && reference.field in parent) return parent[reference.field];
  // As Debezium: a field another transform put on the envelope itself.
  if (reference.field in envelope) return envelope[reference.field];
  // A block that is there but empty (`transaction: null` during a snapshot) gives null.
  return reference.struct in envelope ? null : undefined;
}

function headerText(value: unknown): string {
  return typeof value === 'string' ? value : stringifyJson(value);
}

function withHeaders(record: SinkRecord, headers: Record<string, string>): SinkRecord {
  return Object.keys(headers).length === 0 ? record : { ...record, headers: { ...record.headers, ...headers } };
}

function extract(options: Options, record: SinkRecord): SinkRecord | null {
  if (record.value === null) {
    if (!options.keepTombstones) return null;
    // Debezium gives a tombstone only the op header, as "d".
    const op = options.headers.find((h) => h.struct === undefined && h.field === 'op');
    return op ? withHeaders(record, { [op.name]: 'd' }) : record;
  }
  const envelope = withoutSchemaWrapper(record.value);
  if (!isEnvelope(envelope)) return record;

  const headers: Record<string, string> = {};
  for (const reference of options.headers) {
    const value = lookUp(envelope, reference);
    if (value !== undefined && value !== null) headers[reference.name] = headerText(value);
  }
  let next = withHeaders(record, headers);

  const after = envelope.after ?? null;
  const before = envelope.before ?? null;
  if (after === null && before === null) return null;
  const isDelete = after === null;
  if (isDelete && options.deletes === 'drop') return null;

  const row = isDelete ? before : after;
  if (options.routeByField !== undefined) {
    if (!isObject(row)) throw new TransformError('route.by.field needs the change event row to be a JSON object');
    const topic = row[options.routeByField];
    if (typeof topic === 'string' && topic !== '') next = { ...next, topic };
  }
  if (isDelete && options.deletes === 'tombstone') return { ...next, value: null };

  const rewrite = options.deletes === 'rewrite';
  if (options.fields.length === 0 && !rewrite) return { ...next, value: row };
  if (!isObject(row)) throw new TransformError(`change event (op ${envelope.op}) has no "${isDelete ? 'before' : 'after'}" row to add fields to`);
  const value: Record<string, unknown> = { ...row };
  for (const reference of options.fields) {
    const field = lookUp(envelope, reference);
    if (field !== undefined) value[reference.name] = field;
  }
  if (rewrite) value[DELETED_FIELD] = isDelete ? 'true' : 'false';
  return { ...next, value };
}

export const ExtractNewRecordState: TransformPlugin<Options> = {
  name: 'ExtractNewRecordState',
  classNames: ['io.debezium.transforms.ExtractNewRecordState'],
  options: ExtractNewRecordStateOptions,
  create: (options) => ({ apply: (record) => extract(options, record) }),
};
