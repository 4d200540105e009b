// Column types from a Kafka Connect schema: what JsonConverter (schemas.enable=true) writes beside
// each value as `{schema, payload}`, Debezium's logical types included. Values in logical types
// are turned into the text forms both dialects' date, time and numeric columns accept.
import type { ColumnKind, Row } from '../db/index.ts';
import { isJsonDecimal, parseJson } from '../json/index.ts';

/** A Connect schema as JsonConverter writes it. */
export interface ConnectSchema {
  type: string;
  optional?: boolean;
  name?: string;
  field?: string;
  parameters?: Record<string, string>;
  fields?: ConnectSchema[];
}

/** The column a field becomes and how its JSON value becomes the column's value. */
export interface FieldColumn {
  kind: ColumnKind;
  convert(value: unknown): unknown;
}

const same = (value: unknown) => value;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC wall clock) from whole milliseconds and extra microseconds. */
function timestampText(ms: number, extraMicros = 0): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const micros = extraMicros > 0 ? String(extraMicros).padStart(3, '0') : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${micros}`;
}

/** `HH:MM:SS.ffffff` from a time of day. */
function timeText(ms: number, extraMicros = 0): string {
  return timestampText(((ms % DAY_MS) + DAY_MS) % DAY_MS, extraMicros).slice(11);
}

/** Splits a count of `unitsPerMs` ticks into whole milliseconds and the microseconds past them. */
function splitTicks(ticks: number | bigint, ticksPerMs: number): [number, number] {
  if (typeof ticks === 'bigint') {
    // Nanoseconds since 1970 pass 2^53: split them exactly, then the parts fit a double.
    const perMs = BigInt(ticksPerMs);
    let ms = ticks / perMs;
    if (ms * perMs > ticks) ms -= 1n; // floor, not truncation, before 1970
    return [Number(ms), Number(((ticks - ms * perMs) * 1000n) / perMs)];
  }
  const ms = Math.floor(ticks / ticksPerMs);
  const micros = Math.floor(((ticks - ms * ticksPerMs) * 1000) / ticksPerMs);
  return [ms, micros];
}

const numeric = (convert: (n: number) => unknown) => (value: unknown) => (typeof value === 'number' ? convert(value) : value);
/** For int64 tick counts, which arrive as bigints past 2^53 (see src/json). */
const ticks = (convert: (n: number | bigint) => unknown) => (value: unknown) =>
  typeof value === 'number' || typeof value === 'bigint' ? convert(value) : value;

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Connect's Decimal: the unscaled value as big-endian two's-complement bytes (base64 in JSON). */
export function decimalText(unscaledBase64: string, scale: number): string {
  const bytes = base64Bytes(unscaledBase64);
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if (bytes.length > 0 && bytes[0]! >= 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function decimal(scale: number) {
  return (value: unknown) => {
    if (typeof value === 'string') return decimalText(value, scale);
    // decimal.format=NUMERIC: a JSON number, kept exact by the parser when a double cannot hold it.
    if (typeof value === 'number' || typeof value === 'bigint' || isJsonDecimal(value)) return String(value);
    return value;
  };
}

/** io.debezium.data.VariableScaleDecimal: `{scale, value}` with value as Connect's Decimal bytes. */
function variableScaleDecimal(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { scale, value: unscaled } = value as { scale?: unknown; value?: unknown };
  return typeof scale === 'number' && typeof unscaled === 'string' ? decimalText(unscaled, scale) : value;
}

function jsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseJson(value);
  } catch {
    return value;
  }
}

/** Logical types by schema name: Debezium's and Kafka Connect's own. */
function logicalColumn(schema: ConnectSchema): FieldColumn | undefined {
  switch (schema.name) {
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
      return { kind: 'timestamp', convert: numeric((ms) => timestampText(ms)) };
    case 'io.debezium.time.MicroTimestamp':
      return { kind: 'timestamp', convert: ticks((us) => timestampText(...splitTicks(us, 1000))) };
    case 'io.debezium.time.NanoTimestamp':
      return { kind: 'timestamp', convert: ticks((ns) => timestampText(...splitTicks(ns, 1_000_000))) };
    case 'io.debezium.time.ZonedTimestamp':
      return { kind: 'timestamptz', convert: same };
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return { kind: 'date', convert: numeric((days) => new Date(days * DAY_MS).toISOString().slice(0, 10)) };
    case 'io.debezium.time.Time':
    case 'org.apache.kafka.connect.data.Time':
      return { kind: 'time', convert: numeric((ms) => timeText(ms)) };
    case 'io.debezium.time.MicroTime':
      return { kind: 'time', convert: ticks((us) => timeText(...splitTicks(us, 1000))) };
    case 'io.debezium.time.NanoTime':
      return { kind: 'time', convert: ticks((ns) => timeText(...splitTicks(ns, 1_000_000))) };
    case 'io.debezium.time.Year':
      return { kind: 'int32', convert: same };
    case 'org.apache.kafka.connect.data.Decimal':
      return { kind: 'decimal', convert: decimal(Number(schema.parameters?.scale ?? 0)) };
    case 'io.debezium.data.VariableScaleDecimal':
      return { kind: 'decimal', convert: variableScaleDecimal };
    case 'io.debezium.data.Json':
      return { kind: 'json', convert: jsonText };
    case 'io.debezium.data.Uuid':
      return { kind: 'uuid', convert: same };
    default:
      return undefined;
  }
}

const PRIMITIVES: Record<string, ColumnKind> = {
  int8: 'int16',
  int16: 'int16',
  int32: 'int32',
  int64: 'integer',
  float32: 'float32',
  float64: 'real',
  boolean: 'boolean',
  string: 'text',
  bytes: 'bytes',
  struct: 'json',
  array: 'json',
  map: 'json',
};

export function fieldColumn(schema: ConnectSchema): FieldColumn {
  const logical = logicalColumn(schema);
  if (logical) return logical;
  const kind = PRIMITIVES[schema.type] ?? 'text';
  if (kind === 'bytes') return { kind, convert: (value) => (typeof value === 'string' ? base64Bytes(value) : value) };
  return { kind, convert: same };
}

function isSchema(value: unknown): value is ConnectSchema {
  return typeof value === 'object' && value !== null && typeof (value as ConnectSchema).type === 'string';
}

/**
 * The row schema inside a record's schema: the struct itself for a plain row, its `after` (or
 * `before`) field for a Debezium envelope. Undefined when there is no struct to read.
 */
export function rowSchemaOf(schema: unknown, envelopeField?: 'before' | 'after'): ConnectSchema | undefined {
  if (!isSchema(schema) || schema.type !== 'struct') return undefined;
  if (!envelopeField) return schema;
  const inner = schema.fields?.find((f) => f.field === envelopeField);
  return inner && inner.type === 'struct' ? inner : undefined;
}

/** Each field of a struct schema as the column it becomes. */
export function structColumns(schema: ConnectSchema): Map<string, FieldColumn> {
  const columns = new Map<string, FieldColumn>();
  for (const field of schema.fields ?? []) if (field.field) columns.set(field.field, fieldColumn(field));
  return columns;
}

/** A row with each value the schema types converted; fields the schema does not name are kept. */
export function convertRow(row: Row, columns: ReadonlyMap<string, FieldColumn>): Row {
  const converted: Row = {};
  for (const [field, value] of Object.entries(row)) {
    const column = columns.get(field);
    converted[field] = column && value !== null && value !== undefined ? column.convert(value) : value;
  }
  return converted;
}
