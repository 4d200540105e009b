import * as v from 'valibot';
import { isObject } from '../records/index.ts';
import { ConnectorConfigSchema, type ConnectorConfig } from './connector-config.ts';
import { toFieldIssues, type FieldIssue } from './issues.ts';
import { processEnv, redactValue, resolveSecretReferences, type EnvAccess, type Environment } from './secrets.ts';
import { connectorName } from './settings.ts';
import { isSinkConfig, SinkConfigSchemas } from './sinks.ts';
import { SourceConfigSchemas } from './sources.ts';
import { readTransformsConfig, type KeyIssue } from './transforms.ts';

export type ConnectorCheck = { ok: true; config: ConnectorConfig } | { ok: false; issues: FieldIssue[] };

/**
 * Checks a sink config's `transforms.*` and `predicates.*` keys, by key. src/transforms has the
 * one that knows each type's options (transformKeyIssues); config alone knows only the chain's shape.
 */
export type TransformKeyCheck = (config: Readonly<Record<string, unknown>>) => KeyIssue[];

const transformShapeIssues: TransformKeyCheck = (config) => readTransformsConfig(config).issues;

/**
 * Checks one connector's config as the REST API receives it (a string map, `${env:…}` secrets
 * unresolved) and as a worker applies it from the config topic; issues are addressed by key.
 * `allowed` says which variables the config may read (all, unless it came through the REST API);
 * `transformIssues` checks the transform chain (the workers pass src/transforms' transformKeyIssues).
 */
export function checkConnectorConfig(
  properties: unknown,
  env: Environment = processEnv(),
  allowed?: EnvAccess,
  transformIssues: TransformKeyCheck = transformShapeIssues,
): ConnectorCheck {
  if (!isObject(properties)) return { ok: false, issues: [{ path: '', message: 'config must be a JSON object' }] };
  const secrets = resolveSecretReferences(properties, env, allowed);
  if (secrets.issues.length > 0) return { ok: false, issues: secrets.issues };
  const result = v.safeParse(ConnectorConfigSchema, secrets.config);
  const issues = result.success ? [] : toFieldIssues(result.issues);
  // The schema strips Connect's transforms.* and predicates.* keys; sinks check them here.
  if (result.success ? isSinkConfig(result.output) : isSinkConfig(secrets.config as { 'connector.class': string })) {
    for (const issue of transformIssues(secrets.config)) issues.push({ path: issue.key, message: issue.message });
  }
  return result.success && issues.length === 0 ? { ok: true, config: result.output } : { ok: false, issues };
}

export function checkConnectorName(name: unknown): FieldIssue[] {
  const result = v.safeParse(connectorName, name);
  return result.success ? [] : toFieldIssues(result.issues).map((i) => ({ ...i, path: 'name' }));
}

const PLUGIN_SCHEMAS = [...SourceConfigSchemas, ...SinkConfigSchemas];

/** Connector classes this build knows, with their kind. */
export function connectorPlugins(): { class: string; type: 'source' | 'sink' }[] {
  return [
    ...SourceConfigSchemas.map((s) => ({ class: s.entries['connector.class'].literal as string, type: 'source' as const })),
    ...SinkConfigSchemas.map((s) => ({ class: s.entries['connector.class'].literal as string, type: 'sink' as const })),
  ];
}

/**
 * Per-key report for Connect's validate endpoint: every key the plugin knows and every key given,
 * each with its value (secrets and URL passwords redacted, as Connect shows PASSWORD values) and
 * errors. Undefined when no plugin has that class.
 */
export function validateConnectorConfig(
  pluginClass: string,
  properties: Record<string, unknown>,
  env: Environment = processEnv(),
  allowed?: EnvAccess,
  transformIssues?: TransformKeyCheck,
): { name: string; value: string | null; errors: string[] }[] | undefined {
  const schema = PLUGIN_SCHEMAS.find((s) => s.entries['connector.class'].literal === pluginClass);
  if (!schema) return undefined;
  const check = checkConnectorConfig({ ...properties, 'connector.class': pluginClass }, env, allowed, transformIssues);
  const errors = new Map<string, string[]>();
  if (!check.ok) {
    for (const issue of check.issues) {
      const key = Object.keys(schema.entries).find((k) => issue.path === k || issue.path.startsWith(`${k}.`)) ?? issue.path;
      errors.set(key, [...(errors.get(key) ?? []), issue.message]);
    }
  }
  const keys = [...new Set([...Object.keys(schema.entries), ...Object.keys(properties), ...errors.keys()])];
  return keys.map((name) => {
    const value = name === 'connector.class' ? pluginClass : redactValue(name, properties[name]);
    return {
      name,
      value: value === undefined || value === null ? null : Array.isArray(value) ? value.join(',') : String(value),
      errors: errors.get(name) ?? [],
    };
  });
}
