import * as v from 'valibot';
import { isJsonDecimal, stringifyJson, type JsonDecimal } from '../json/index.ts';
import type { WebhookSourceConfig } from '../config/index.ts';
import type { IngestRequest, RecordIssue, SourceConnector, SourceRecord, ToRecordsResult } from './types.ts';
import { createWebhookAuth } from './webhook-auth.ts';
import { connectorBase } from './connector-base.ts';
import { SOURCE_HEADERS, type AuthScheme } from './headers.ts';
import { DEDUPE_KEY_TOO_LONG, dedupeHeaderIssue, dedupeKeyField, MAX_DEDUPE_KEY_BYTES } from './dedupe-key.ts';

const MAX_REPORTED_ISSUES = 20;
// Numbers past what a double holds arrive as bigints or decimals (see src/json): exact ids.
const exactDecimal = v.custom<JsonDecimal>(isJsonDecimal);
const scalarId = v.union([v.pipe(v.string(), v.minLength(1, 'must not be empty')), v.number(), v.bigint(), exactDecimal], 'must be a string or a number');
// The offset and partition fields make up the record's dedupe key.
const shortDigits = <T extends bigint | JsonDecimal>() => v.check<T, string>((n) => String(n).length <= MAX_DEDUPE_KEY_BYTES, DEDUPE_KEY_TOO_LONG);
const dedupeId = v.union(
  [
    v.pipe(v.string(), v.minLength(1, 'must not be empty'), dedupeKeyField),
    v.number(),
    v.pipe(v.bigint(), shortDigits<bigint>()),
    v.pipe(exactDecimal, shortDigits<JsonDecimal>()),
  ],
  'must be a string or a number',
);
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** What each `auth.type` stamps as `inlet.auth` on the records it let through. */
const AUTH_SCHEMES = { none: 'none', 'hmac-sha256': 'hmac', bearer: 'token' } as const satisfies Record<NonNullable<WebhookSourceConfig['auth.type']>, AuthScheme>;

function recordSchema(config: WebhookSourceConfig) {
  const required = new Set(config['required.fields']);
  const entries: Record<string, v.GenericSchema> = {};
  // Present-but-null required fields are rejected too: a sink cannot key or order on null.
  for (const field of required) entries[field] = v.pipe(v.any(), v.check((x) => x !== null && x !== undefined, 'is required'));
  const keyField = config['key.field'];
  if (keyField) entries[keyField] = scalarId;
  for (const field of [config['offset.field'], config['partition.field']]) {
    if (field) entries[field] = dedupeId;
  }
  // valibot reports a missing key with the object's message; tell the two cases apart.
  return v.looseObject(entries, (issue) => (issue.path?.length ? 'is required' : 'must be a JSON object'));
}

/** The generic JSON webhook source: validates each item and keys it by configured fields. */
export function createWebhookSource(name: string, config: WebhookSourceConfig): SourceConnector {
  const schema = recordSchema(config);
  const keyField = config['key.field'];
  const offsetField = config['offset.field'];
  const partitionField = config['partition.field'];
  const verify = createWebhookAuth(config);
  // Fixed with the config (a changed auth.type restarts the connector): one more header a record.
  const auth: AuthScheme = AUTH_SCHEMES[config['auth.type'] ?? 'none'];

  function toRecords(items: readonly unknown[], request: IngestRequest): ToRecordsResult {
    const issues: RecordIssue[] = [];
    const records: SourceRecord[] = [];
    const idempotencyKey = offsetField ? null : request.headers.get(IDEMPOTENCY_KEY_HEADER);
    const headerIssue = dedupeHeaderIssue(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
    if (headerIssue) return { ok: false, issues: [headerIssue] };
    items.forEach((item, index) => {
      if (issues.length >= MAX_REPORTED_ISSUES) return;
      if (Array.isArray(item)) {
        issues.push({ index, path: '', message: 'must be a JSON object' });
        return;
      }
      const parsed = v.safeParse(schema, item);
      if (!parsed.success) {
        for (const issue of parsed.issues) {
          issues.push({ index, path: v.getDotPath(issue) ?? '', message: issue.message });
        }
        return;
      }
      const value = parsed.output as Record<string, unknown>;
      const sourcePartition = partitionField ? `${name}/${String(value[partitionField])}` : name;
      let sourceOffset: string | null = null;
      if (offsetField) sourceOffset = String(value[offsetField]);
      else if (idempotencyKey) sourceOffset = items.length === 1 ? idempotencyKey : `${idempotencyKey}#${index}`;
      const headers: Record<string, string> = {
        [SOURCE_HEADERS.connector]: name,
        [SOURCE_HEADERS.partition]: sourcePartition,
        [SOURCE_HEADERS.auth]: auth,
      };
      if (sourceOffset !== null) headers[SOURCE_HEADERS.offset] = sourceOffset;
      records.push({
        topic: config.topic,
        key: keyField ? String(value[keyField]) : null,
        // The sender's own text: valibot only checked the fields, the object is unchanged.
        value: request.texts?.[index] ?? stringifyJson(value),
        headers,
        sourcePartition,
        sourceOffset,
      });
    });
    return issues.length > 0 ? { ok: false, issues } : { ok: true, records };
  }

  return {
    ...connectorBase(name, config),
    ...(verify ? { verify } : {}),
    toRecords,
  };
}
