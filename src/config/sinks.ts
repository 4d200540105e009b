import * as v from 'valibot';
import { anyListSetting, boolSetting, databaseUrl, intSetting, listSetting, topicName } from './settings.ts';

export const DatabaseSinkConfigSchema = v.object({
  'connector.class': v.literal('database-sink'),
  topics: listSetting,
  /** Target database; defaults to the worker's INLET_DB_URL. */
  'connection.url': v.optional(databaseUrl),
  /** Target table per record: `${topic}`, `${source.db}`, `${source.schema}`, `${source.table}` (Debezium's source block). */
  'table.name.format': v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.check((s) => !/\$\{(?!topic\}|source\.(db|schema|table)\})/.test(s), 'knows only ${topic}, ${source.db}, ${source.schema} and ${source.table}'),
    ),
    '${topic}',
  ),
  /**
   * Tables this connector may write: exact names or regular expressions that match the whole name.
   * Required when table.name.format holds `${source.*}`, since the records then pick the table.
   */
  'table.include.list': v.optional(
    v.pipe(
      anyListSetting,
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        for (const pattern of dataset.value) {
          try {
            tableNamePattern(pattern);
          } catch (error) {
            addIssue({ message: `"${pattern}" is not a valid regular expression (${(error as Error).message})` });
          }
        }
      }),
    ),
    [],
  ),
  /** Most columns Inlet lets a table grow to; a record that needs more is errant. */
  'table.max.columns': v.optional(intSetting(1), 500),
  /** Prefixes taken off the topic before it fills `${topic}` (the first that matches), e.g. `dbserver1.inventory.`. */
  'topic.prefix.strip': v.optional(anyListSetting, []),
  /** `record_value`: key columns are value fields; `record_key`: the Kafka key; `none`: append, no key. */
  'primary.key.mode': v.optional(v.picklist(['record_value', 'record_key', 'none'], 'must be record_value, record_key or none'), 'record_value'),
  /** Key columns; with record_key and JSON-object keys, the key's fields when empty. */
  'primary.key.fields': v.optional(anyListSetting, []),
  /** `basic`: create missing tables (auto.create) and add new fields as nullable columns; `none`: never alter. */
  'schema.evolution': v.optional(v.picklist(['none', 'basic'], 'must be none or basic'), 'basic'),
  'auto.create': v.optional(boolSetting, true),
  /** A Debezium delete (op `d`) or a tombstone (null value) deletes the row by its key; else both are skipped. */
  'delete.enabled': v.optional(boolSetting, true),
  /** A Debezium truncate (op `t`) empties the table; else it is skipped. */
  'truncate.enabled': v.optional(boolSetting, false),
  'batch.size': v.optional(intSetting(1), 2000),
  'tasks.max': v.optional(intSetting(1), 1),
  /** How long transient database errors are retried before the task fails; -1: for ever (Connect's key). */
  'errors.retry.timeout': v.optional(intSetting(-1), -1),
  /** Cap of the exponential backoff between retries (Connect's key and default). */
  'errors.retry.delay.max.ms': v.optional(intSetting(1), 60_000),
  /** `none`: a record that can never be applied fails the task; `all`: it goes to the dead-letter topic. */
  'errors.tolerance': v.optional(v.picklist(['none', 'all'], 'must be none or all'), 'none'),
  'errors.deadletterqueue.topic.name': v.optional(topicName),
  /** Connect's __connect.errors.* headers on dead-lettered records (Connect defaults to false; Inlet to true). */
  'errors.deadletterqueue.context.headers.enable': v.optional(boolSetting, true),
  /** Log each record that is skipped or dead-lettered. */
  'errors.log.enable': v.optional(boolSetting, true),
});

/** One table.include.list entry as the whole-name match it stands for. */
export function tableNamePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

export type DatabaseSinkConfig = v.InferOutput<typeof DatabaseSinkConfigSchema>;

/** Every sink connector's config, told apart by `connector.class`. */
export const SinkConfigSchemas = [DatabaseSinkConfigSchema] as const;
export type SinkConfig = v.InferOutput<(typeof SinkConfigSchemas)[number]>;

export function isSinkConfig(config: { 'connector.class': string }): config is SinkConfig {
  return config['connector.class'] === 'database-sink';
}
