// Rules that span keys of one connector config. valibot's variant options must be plain object
// schemas (no pipe), so these run once the variant has matched, from ConnectorConfigSchema.
import * as v from 'valibot';

export interface KeyIssue {
  key: string;
  message: string;
}

/** Problems between keys of an otherwise valid connector config, each addressed by key. */
export function crossKeyIssues(config: Readonly<Record<string, unknown>>): KeyIssue[] {
  const issues: KeyIssue[] = [];
  if (config['connector.class'] === 'webhook') {
    if (config['auth.type'] === 'hmac-sha256' && config['auth.secrets'] === undefined) {
      issues.push({ key: 'auth.secrets', message: 'is required when auth.type is hmac-sha256' });
    }
    if (config['auth.type'] === 'bearer' && config['auth.tokens'] === undefined) {
      issues.push({ key: 'auth.tokens', message: 'is required when auth.type is bearer' });
    }
  }
  if (config['connector.class'] === 'database-sink') {
    const keyFields = (config['primary.key.fields'] as readonly string[] | undefined) ?? [];
    if (config['primary.key.mode'] === 'record_value' && keyFields.length === 0) {
      issues.push({ key: 'primary.key.fields', message: 'is required when primary.key.mode is record_value' });
    }
    const routedByContent = typeof config['table.name.format'] === 'string' && config['table.name.format'].includes('${source.');
    if (routedByContent && ((config['table.include.list'] as readonly string[] | undefined) ?? []).length === 0) {
      issues.push({ key: 'table.include.list', message: 'is required when table.name.format holds ${source.…}: the records then name their table, so list the tables they may write' });
    }
    if (config['primary.key.mode'] === 'none' && keyFields.length > 0) {
      issues.push({ key: 'primary.key.fields', message: 'must be empty when primary.key.mode is none (rows are appended without a key)' });
    }
  }
  if (config['connector.class'] === 'debezium') {
    const templated = typeof config.topic === 'string' && /\$\{(schema|table)\}/.test(config.topic);
    if (templated && (config.tables as readonly string[] | undefined)?.length === 0) {
      issues.push({ key: 'tables', message: 'is required when topic holds ${schema} or ${table} (the topics are created at start)' });
    }
  }
  return issues;
}

/** The pipe action reporting crossKeyIssues at `config.<key>`. */
export function crossKeyCheck<TConfig extends object>() {
  return v.rawCheck<TConfig>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const config = dataset.value as Readonly<Record<string, unknown>>;
    for (const { key, message } of crossKeyIssues(config)) {
      addIssue({ message, path: [{ type: 'object', origin: 'value', input: config, key, value: config[key] }] });
    }
  });
}
