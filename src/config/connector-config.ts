import * as v from 'valibot';

// Connect configs are string maps; JSON files also carry numbers and booleans. Both are accepted.
const intSetting = (min: number) =>
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?\d+$/, 'must be an integer'), v.transform(Number))]),
    v.integer('must be an integer'),
    v.minValue(min),
  );

const boolSetting = v.union([
  v.boolean(),
  v.pipe(v.picklist(['true', 'false'], 'must be true or false'), v.transform((s) => s === 'true')),
]);

const anyListSetting = v.pipe(
  v.union([v.array(v.string()), v.string()]),
  v.transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean)),
);
const listSetting = v.pipe(anyListSetting, v.minLength(1, 'must name at least one'));

const fieldName = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const topicName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9._-]{1,249}$/, 'is not a valid Kafka topic name'));
const connectorName = v.pipe(
  v.string(),
  v.regex(/^[a-zA-Z0-9._-]{1,200}$/, 'may hold only letters, digits, ".", "_" and "-"'),
);

/** Generic JSON webhook: one object, an array of objects, or NDJSON per request. */
export const WebhookSourceConfigSchema = v.object({
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
  'topic.creation.default.partitions': v.optional(intSetting(1), 3),
  /** Retried deliveries within this window are answered as duplicates (Stripe retries for 72 h). */
  'dedupe.window.ms': v.optional(intSetting(0), 72 * 3600 * 1000),
  'dedupe.max.entries': v.optional(intSetting(1), 1_000_000),
});

export const DatabaseSinkConfigSchema = v.object({
  'connector.class': v.literal('database-sink'),
  topics: listSetting,
  /** Target database; defaults to the worker's INLET_DB_URL. */
  'connection.url': v.optional(
    v.pipe(v.string(), v.regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')),
  ),
  'table.name.format': v.optional(v.pipe(v.string(), v.minLength(1)), '${topic}'),
  'primary.key.mode': v.optional(v.picklist(['record_value', 'record_key']), 'record_value'),
  'primary.key.fields': listSetting,
  'auto.create': v.optional(boolSetting, true),
  'batch.size': v.optional(intSetting(1), 2000),
  'tasks.max': v.optional(intSetting(1), 1),
});

export const ConnectorConfigSchema = v.variant('connector.class', [WebhookSourceConfigSchema, DatabaseSinkConfigSchema]);

export const ConnectorSchema = v.object({
  name: connectorName,
  config: ConnectorConfigSchema,
});

export const ConnectorsFileSchema = v.pipe(
  v.object({ connectors: v.array(ConnectorSchema) }),
  v.check(
    (file) => new Set(file.connectors.map((c) => c.name)).size === file.connectors.length,
    'connector names must be unique',
  ),
);

export type WebhookSourceConfig = v.InferOutput<typeof WebhookSourceConfigSchema>;
export type DatabaseSinkConfig = v.InferOutput<typeof DatabaseSinkConfigSchema>;
export type ConnectorConfig = v.InferOutput<typeof ConnectorConfigSchema>;
export type Connector = v.InferOutput<typeof ConnectorSchema>;
export type ConnectorsFile = v.InferOutput<typeof ConnectorsFileSchema>;
