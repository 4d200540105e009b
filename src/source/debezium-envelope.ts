// The Debezium change-event envelope as HTTP senders post it: plain (`{before, after, source, op,
// ts_ms}`), wrapped by Kafka Connect's JsonConverter (`{schema, payload}`), or as a structured
// CloudEvent (Debezium Server with `debezium.format.value=cloudevents`), each read into the plain
// envelope so the rest of Inlet sees one shape.
import * as v from 'valibot';
import { isJsonDecimal } from '../json/index.ts';
import { CHANGE_OPS, isObject, isSchemaWrapper, type ChangeOp, type JsonObject } from '../records/index.ts';

/** An item as posted, read into the plain envelope, with how to name its fields in errors. */
export interface ReadEvent {
  envelope: unknown;
  /** Maps a path in the plain envelope ("after.id") to where it sits in the posted item. */
  pathInBody(path: string): string;
}

const samePath = (path: string) => path;

// CloudEvent attributes Debezium fills from the envelope's `source` block (lower-cased, no dots).
const CLOUDEVENT_SOURCE_ATTRIBUTES: Record<string, string> = {
  iodebeziumversion: 'version',
  iodebeziumconnector: 'connector',
  iodebeziumname: 'name',
  iodebeziumtsms: 'ts_ms',
  iodebeziumsnapshot: 'snapshot',
  iodebeziumdb: 'db',
  iodebeziumsequence: 'sequence',
  iodebeziumschema: 'schema',
  iodebeziumtable: 'table',
  iodebeziumtxId: 'txId',
  iodebeziumlsn: 'lsn',
  iodebeziumxmin: 'xmin',
};
const SOURCE_TO_CLOUDEVENT = Object.fromEntries(Object.entries(CLOUDEVENT_SOURCE_ATTRIBUTES).map(([ce, source]) => [source, ce]));

function fromCloudEvent(event: JsonObject): ReadEvent {
  const wrapper = isSchemaWrapper(event.data) ? event.data : undefined;
  const data = wrapper ? wrapper.payload : event.data;
  const dataPrefix = wrapper ? 'data.payload' : 'data';
  const source: JsonObject = {};
  for (const [attribute, field] of Object.entries(CLOUDEVENT_SOURCE_ATTRIBUTES)) {
    if (event[attribute] !== undefined) source[field] = event[attribute];
  }
  // CloudEvent extension attributes are strings; the envelope has numbers there.
  if (typeof source.ts_ms === 'string' && /^\d+$/.test(source.ts_ms)) source.ts_ms = Number(source.ts_ms);
  const envelope: JsonObject = {
    ...(isObject(data) ? { before: data.before ?? null, after: data.after ?? null } : {}),
    source,
    op: event.iodebeziumop,
    ts_ms: typeof source.ts_ms === 'number' ? source.ts_ms : null,
  };
  return {
    envelope,
    pathInBody(path) {
      const [head, ...rest] = path.split('.');
      if (head === 'op') return 'iodebeziumop';
      if (head === 'source') return rest.length > 0 ? (SOURCE_TO_CLOUDEVENT[rest[0]!] ?? `iodebezium${rest[0]}`) : 'iodebezium*';
      return path === '' ? dataPrefix : `${dataPrefix}.${path}`;
    },
  };
}

/** Reads one posted item into the plain envelope (not yet validated). */
export function readEvent(item: unknown): ReadEvent {
  if (!isObject(item)) return { envelope: item, pathInBody: samePath };
  if (typeof item.specversion === 'string') return fromCloudEvent(item);
  if (isSchemaWrapper(item)) {
    return { envelope: item.payload, pathInBody: (path) => (path === '' ? 'payload' : `payload.${path}`) };
  }
  return { envelope: item, pathInBody: samePath };
}

const nonEmpty = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));
// Numbers past what a double holds (int64 keys) arrive as bigints or decimals (see src/json).
const scalar = v.union(
  [nonEmpty, v.number(), v.bigint(), v.custom(isJsonDecimal), v.boolean()],
  'must be a string, a number or a boolean (a key field)',
);
// int64 in Debezium's JSON; a string in CloudEvent attributes.
const lsn = v.union(
  [
    v.pipe(v.number(), v.integer(), v.minValue(0)),
    // At most int64's 20 digits: the LSN is part of the event's dedupe key.
    v.pipe(v.bigint(), v.minValue(0n), v.maxValue(99_999_999_999_999_999_999n)),
    v.pipe(v.string(), v.regex(/^\d{1,20}$/)),
  ],
  'must be a non-negative integer (the WAL position)',
);

const SourceBlock = v.looseObject(
  {
    db: nonEmpty,
    schema: v.optional(v.nullable(v.string())),
    table: nonEmpty,
    lsn,
  },
  (issue) => (issue.path?.length ? 'is required' : 'must be an object'),
);

/** A row image (`before`/`after`) that must hold every key field. */
function keyedRow(keyFields: readonly string[]) {
  return v.looseObject(
    Object.fromEntries(keyFields.map((field) => [field, scalar])),
    (issue) => (issue.path?.length ? 'is required' : 'must be an object holding the key fields'),
  );
}

const anyRow = v.nullish(v.record(v.string(), v.unknown(), 'must be an object or null'));

/** The envelope, checked per operation: c/r/u carry `after`, d carries `before`, each with the key. */
export function envelopeSchema(keyFields: readonly string[]) {
  const row = keyedRow(keyFields);
  const common = { source: SourceBlock, ts_ms: v.optional(v.nullable(v.number())) };
  return v.variant(
    'op',
    [
      v.looseObject({ ...common, op: v.picklist(['c', 'r', 'u'] satisfies ChangeOp[]), before: anyRow, after: row }),
      v.looseObject({ ...common, op: v.literal('d'), before: row, after: anyRow }),
      v.looseObject({ ...common, op: v.literal('t'), before: anyRow, after: anyRow }),
    ],
    (issue) =>
      issue.input === undefined && issue.path?.length
        ? 'is required: the operation (c, u, d, r or t)'
        : `must be a change event: op is one of ${CHANGE_OPS.join(', ')}`,
  );
}

export type ChangeEvent = {
  op: ChangeOp;
  before?: JsonObject | null;
  after?: JsonObject | null;
  source: { db: string; schema?: string | null; table: string; lsn: number | bigint | string } & JsonObject;
  ts_ms?: number | null;
} & JsonObject;
