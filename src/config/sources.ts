import * as v from 'valibot';
import { secretListSetting, standardWebhooksSecretsSetting } from './secrets.ts';
import { anyListSetting, boolSetting, fieldName, intSetting, listSetting, topicName } from './settings.ts';

/** Keys every source connector takes. */
const sourceCommon = {
  /** Partitions of a topic Inlet creates for the connector (Connect's KIP-158 name). */
  'topic.creation.default.partitions': v.optional(intSetting(1), 3),
  /**
   * `required`: a push's records and the source offsets they advance are written in one Kafka
   * transaction (KIP-618's key); `requested` (default): the idempotent producer, no transaction.
   */
  'exactly.once.support': v.optional(v.picklist(['requested', 'required'], 'must be requested or required'), 'requested'),
};

/** Generic JSON webhook: one object, an array of objects, or NDJSON per request. */
export const WebhookSourceConfigSchema = v.object({
  ...sourceCommon,
  'connector.class': v.literal('webhook'),
  topic: topicName,
  /** Record field whose value becomes the Kafka key (keeps one entity's events in order). */
  'key.field': v.optional(fieldName),
  /** Record field holding the source offset; without it the `Idempotency-Key` header is used. */
  'offset.field': v.optional(fieldName),
  /** Record field that splits the connector into several source partitions. */
  'partition.field': v.optional(fieldName),
  /** Fields every record must carry (the key and offset fields are always required when set). */
  'required.fields': v.optional(anyListSetting, []),
  'max.body.bytes': v.optional(intSetting(1)),
  /** Retried deliveries within this window are answered as duplicates (Stripe retries for 72 h). */
  'dedupe.window.ms': v.optional(intSetting(0), 72 * 3600 * 1000),
  'dedupe.max.entries': v.optional(intSetting(1), 1_000_000),
  /** `none` (when unset), `hmac-sha256` (HMAC of the body in `auth.header`) or `bearer`. */
  'auth.type': v.optional(v.picklist(['none', 'hmac-sha256', 'bearer'], 'must be none, hmac-sha256 or bearer')),
  /** Header carrying the `hmac-sha256` signature; `X-Signature` when unset. */
  'auth.header': v.optional(v.pipe(v.string(), v.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid header name'))),
  /** HMAC keys for `hmac-sha256` (several while rotating); `${env:NAME}` resolves from the environment. */
  'auth.secrets': v.optional(secretListSetting),
  /** Accepted bearer tokens for `bearer` (several while rotating). */
  'auth.tokens': v.optional(secretListSetting),
});

export type WebhookSourceConfig = v.InferOutput<typeof WebhookSourceConfigSchema>;

/** Keys of the signed webhook sources: one event per push, recognised again by its id. */
const signedEvents = {
  topic: topicName,
  /** Secrets to verify with, several while rotating; `${env:NAME}` resolves from the environment. */
  secrets: secretListSetting,
  'max.body.bytes': v.optional(intSetting(1)),
  /** Senders retry for days (Stripe 3, Standard Webhooks about 1.5): remember ids that long. */
  'dedupe.window.ms': v.optional(intSetting(0), 72 * 3600 * 1000),
  'dedupe.max.entries': v.optional(intSetting(1), 1_000_000),
};

/** How far a signed timestamp may be from the receiver's clock, either way (replay protection). */
const toleranceSeconds = v.optional(intSetting(1), 300);

/** Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
export const StandardWebhooksSourceConfigSchema = v.object({
  ...sourceCommon,
  ...signedEvents,
  'connector.class': v.literal('standard-webhooks'),
  /** `whsec_<base64>` secrets. */
  secrets: standardWebhooksSecretsSetting,
  'timestamp.tolerance.seconds': toleranceSeconds,
  /** Field (a dotted path, e.g. `data.id`) whose value becomes the Kafka key; else no key. */
  'key.field': v.optional(fieldName),
});

/** Stripe webhook endpoint: `Stripe-Signature`, one event per push. */
export const StripeSourceConfigSchema = v.object({
  ...sourceCommon,
  ...signedEvents,
  'connector.class': v.literal('stripe'),
  'timestamp.tolerance.seconds': toleranceSeconds,
});

/** GitHub webhook (content type application/json): `X-Hub-Signature-256`, `X-GitHub-Delivery`. */
export const GithubSourceConfigSchema = v.object({
  ...sourceCommon,
  ...signedEvents,
  'connector.class': v.literal('github'),
});

export type StandardWebhooksSourceConfig = v.InferOutput<typeof StandardWebhooksSourceConfigSchema>;
export type StripeSourceConfig = v.InferOutput<typeof StripeSourceConfigSchema>;
export type GithubSourceConfig = v.InferOutput<typeof GithubSourceConfigSchema>;

/** A topic name that may hold `${schema}` and `${table}`, filled in from each change event. */
const topicTemplate = v.pipe(
  v.string(),
  v.check(
    (s) => /^[a-zA-Z0-9._-]{1,249}$/.test(s.replaceAll('${schema}', 's').replaceAll('${table}', 't')),
    'is not a valid Kafka topic name (placeholders: ${schema}, ${table})',
  ),
);

/** Debezium change events (the envelope, as Debezium Server's HTTP sink posts it), CDC into Kafka. */
export const DebeziumSourceConfigSchema = v.object({
  ...sourceCommon,
  'connector.class': v.literal('debezium'),
  /** Kafka topic; `${schema}` and `${table}` give one topic per captured table (then `tables` is required). */
  topic: topicTemplate,
  /** Captured tables as `schema.table` (exact names); when set, events of other tables are refused. */
  tables: v.optional(anyListSetting, []),
  /** Primary-key columns of the captured rows: their values are the Kafka key, so a row's changes stay ordered. */
  'key.fields': listSetting,
  /** Follow each delete with a tombstone (null value), as Debezium's own connectors do. */
  'tombstones.on.delete': v.optional(boolSetting, true),
  'max.body.bytes': v.optional(intSetting(1)),
  /** Retried pushes of an event within this window are answered as duplicates. */
  'dedupe.window.ms': v.optional(intSetting(0), 72 * 3600 * 1000),
  'dedupe.max.entries': v.optional(intSetting(1), 1_000_000),
});

export type DebeziumSourceConfig = v.InferOutput<typeof DebeziumSourceConfigSchema>;

/** Every source connector's config, told apart by `connector.class`. */
export const SourceConfigSchemas = [
  WebhookSourceConfigSchema,
  StandardWebhooksSourceConfigSchema,
  StripeSourceConfigSchema,
  GithubSourceConfigSchema,
  DebeziumSourceConfigSchema,
] as const;
export type SourceConfig = v.InferOutput<(typeof SourceConfigSchemas)[number]>;
