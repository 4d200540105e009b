import * as v from 'valibot';
import { boolSetting, databaseUrl, intSetting, listSetting } from './settings.ts';

export const DatabaseSinkConfigSchema = v.object({
  'connector.class': v.literal('database-sink'),
  topics: listSetting,
  /** Target database; defaults to the worker's INLET_DB_URL. */
  'connection.url': v.optional(databaseUrl),
  'table.name.format': v.optional(v.pipe(v.string(), v.minLength(1)), '${topic}'),
  'primary.key.mode': v.optional(v.picklist(['record_value', 'record_key']), 'record_value'),
  'primary.key.fields': listSetting,
  'auto.create': v.optional(boolSetting, true),
  /** A Debezium delete (op `d`) or a tombstone (null value) deletes the row by its key; else both are skipped. */
  'delete.enabled': v.optional(boolSetting, true),
  /** A Debezium truncate (op `t`) empties the table; else it is skipped. */
  'truncate.enabled': v.optional(boolSetting, false),
  'batch.size': v.optional(intSetting(1), 2000),
  'tasks.max': v.optional(intSetting(1), 1),
});

export type DatabaseSinkConfig = v.InferOutput<typeof DatabaseSinkConfigSchema>;

/** Every sink connector's config, told apart by `connector.class`. */
export const SinkConfigSchemas = [DatabaseSinkConfigSchema] as const;
export type SinkConfig = v.InferOutput<(typeof SinkConfigSchemas)[number]>;

export function isSinkConfig(config: { 'connector.class': string }): config is SinkConfig {
  return config['connector.class'] === 'database-sink';
}
