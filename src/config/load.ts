import * as v from 'valibot';
import { isObject } from '../records/index.ts';
import { ConfigError } from './env.ts';
import { ConnectorsFileSchema, type ConnectorsFile } from './connector-config.ts';
import { formatIssues, toFieldIssues, type FieldIssue } from './issues.ts';
import { processEnv, resolveSecretReferences, type Environment } from './secrets.ts';

/** Resolves `${env:NAME}` in every connector's secret keys; issues are addressed like schema issues. */
function resolveFileSecrets(raw: unknown, env: Environment): { raw: unknown; issues: FieldIssue[] } {
  const connectors = (raw as { connectors?: unknown } | null)?.connectors;
  if (!Array.isArray(connectors)) return { raw, issues: [] };
  const issues: FieldIssue[] = [];
  const resolved = connectors.map((connector: unknown, index) => {
    const config = (connector as { config?: unknown } | null)?.config;
    if (!isObject(config)) return connector;
    const result = resolveSecretReferences(config, env);
    for (const issue of result.issues) issues.push({ path: `connectors.${index}.config.${issue.path}`, message: issue.message });
    return { ...(connector as object), config: result.config };
  });
  return { raw: { ...(raw as object), connectors: resolved }, issues };
}

/**
 * Validates an already-read connectors file; errors name the offending key. Secret values may be
 * `${env:NAME}` references (Kafka Connect's config-provider syntax), resolved here from `env`.
 */
export function parseConnectorsFile(raw: unknown, source = 'connectors config', env: Environment = processEnv()): ConnectorsFile {
  const secrets = resolveFileSecrets(raw, env);
  if (secrets.issues.length > 0) throw new ConfigError(`${source}: ${formatIssues(secrets.issues)}`);
  const result = v.safeParse(ConnectorsFileSchema, secrets.raw);
  if (!result.success) throw new ConfigError(`${source}: ${formatIssues(toFieldIssues(result.issues))}`);
  return result.output;
}

/** Reads a JSON connectors file (runtime-neutral: the caller passes the text). */
export function parseConnectorsJson(text: string, source: string, env: Environment = processEnv()): ConnectorsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  return parseConnectorsFile(raw, source, env);
}
