/** A JSON object as parsed: string keys, any values (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Kafka Connect's JsonConverter with schemas wraps every key and value as `{schema, payload}` and
 * nothing else; a plain object that happens to hold both and more is not such a wrapper.
 */
export function isSchemaWrapper(value: unknown): value is { schema: unknown; payload: unknown } {
  return isObject(value) && 'schema' in value && 'payload' in value && Object.keys(value).length === 2;
}
