// The record side shared by the signed sources: one pushed event (a JSON object) becomes one record
// whose source offset is the sender's event or delivery id.
import * as v from 'valibot';
import { isJsonDecimal, stringifyJson } from '../json/index.ts';
import { isObject } from '../records/index.ts';
import type { RecordIssue, SourceRecord, ToRecordsResult } from './types.ts';
import { SOURCE_HEADERS, type AuthScheme } from './headers.ts';

/** valibot reports a missing key with the object's message; tell the two cases apart. */
export const objectMessage = (issue: v.BaseIssue<unknown>) => (issue.path?.length ? 'is required' : 'must be a JSON object');

export type ParsedEvent<T> = { ok: true; event: T } | { ok: false; issues: RecordIssue[] };

/** Validates the single event of a push; a batch, an array or a schema failure becomes issues. */
export function parseSingleEvent<TSchema extends v.GenericSchema>(schema: TSchema, items: readonly unknown[]): ParsedEvent<v.InferOutput<TSchema>> {
  if (items.length !== 1) {
    return { ok: false, issues: [{ index: 1, path: '', message: 'a push carries exactly one event, not a batch' }] };
  }
  const item = items[0];
  if (Array.isArray(item)) return { ok: false, issues: [{ index: 0, path: '', message: 'must be a JSON object' }] };
  const parsed = v.safeParse(schema, item);
  if (!parsed.success) {
    return { ok: false, issues: parsed.issues.map((issue) => ({ index: 0, path: v.getDotPath(issue) ?? '', message: issue.message })) };
  }
  return { ok: true, event: parsed.output };
}

/** The value at a dotted path (`data.id`) of a parsed JSON object. */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** A string or number usable as a Kafka key; null otherwise. */
export function scalarKey(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // Past what a double holds (a snowflake id): the exact digits.
  if (typeof value === 'bigint' || isJsonDecimal(value)) return String(value);
  return null;
}

export interface SignedEvent {
  connector: string;
  topic: string;
  key: string | null;
  value: unknown;
  /** The event's JSON text as sent, written as the value unchanged when given. */
  text?: string | undefined;
  /** The sender's event or delivery id: a retried push carries the same one. */
  sourceOffset: string;
  /** Sender-specific headers (`stripe.event.type`, `github.event`, …) kept beside the value. */
  headers: Record<string, string>;
  /** The signature scheme that verified the push (a signed source verifies every push). */
  auth: AuthScheme;
}

/** One record whose source partition is the connector (one endpoint) and offset the event id. */
export function signedEventRecords(event: SignedEvent): ToRecordsResult {
  const record: SourceRecord = {
    topic: event.topic,
    key: event.key,
    value: event.text ?? stringifyJson(event.value),
    headers: {
      ...event.headers,
      [SOURCE_HEADERS.connector]: event.connector,
      [SOURCE_HEADERS.partition]: event.connector,
      [SOURCE_HEADERS.offset]: event.sourceOffset,
      [SOURCE_HEADERS.auth]: event.auth,
    },
    sourcePartition: event.connector,
    sourceOffset: event.sourceOffset,
  };
  return { ok: true, records: [record] };
}
