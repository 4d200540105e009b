import * as v from 'valibot';
import { anyListSetting, fieldName, intSetting, topicName } from './settings.ts';

/** Keys every source connector takes. */
const sourceCommon = {
  /** Partitions of a topic Inlet creates for the connector (Connect's KIP-158 name). */
  'topic.creation.default.partitions': v.optional(intSetting(1), 3),
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
});

export type WebhookSourceConfig = v.InferOutput<typeof WebhookSourceConfigSchema>;

/** Every source connector's config, told apart by `connector.class`. */
export const SourceConfigSchemas = [WebhookSourceConfigSchema] as const;
export type SourceConfig = v.InferOutput<(typeof SourceConfigSchemas)[number]>;

const SOURCE_CLASSES = new Set<string>(SourceConfigSchemas.map((s) => s.entries['connector.class'].literal));

export function isSourceConfig(config: { 'connector.class': string }): config is SourceConfig {
  return SOURCE_CLASSES.has(config['connector.class']);
}
