import * as v from 'valibot';
import { ConfigError } from './env.ts';
import { ConnectorsFileSchema, type ConnectorsFile } from './connector-config.ts';
import { formatIssues, toFieldIssues, type FieldIssue } from './issues.ts';
import { processEnv, resolveSecretReferences, type Environment } from './secrets.ts';

/** The file's shape before any connector is validated: what the config topic stores as declared. */
const DeclaredFileSchema = v.object({
  connectors: v.array(v.looseObject({ name: v.unknown(), config: v.record(v.string(), v.unknown()) })),
});

/** A connector as the file declares it, `${env:…}` references unresolved: what the config topic stores. */
export interface DeclaredConnector {
  name: string;
  properties: Record<string, unknown>;
}

/** Resolves `${env:NAME}` in every connector's secret keys; issues are addressed like schema issues. */
function resolveFileSecrets(raw: unknown, env: Environment): { raw: unknown; issues: FieldIssue[] } {
  const declared = v.safeParse(DeclaredFileSchema, raw);
  // Not of the file's shape: the full schema below says where.
  if (!declared.success) return { raw, issues: [] };
  const issues: FieldIssue[] = [];
  const connectors = declared.output.connectors.map((connector, index) => {
    const result = resolveSecretReferences(connector.config, env);
    for (const issue of result.issues) issues.push({ path: `connectors.${index}.config.${issue.path}`, message: issue.message });
    return { ...connector, config: result.config };
  });
  return { raw: { ...declared.output, connectors }, issues };
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

function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
}

/** Reads a JSON connectors file (runtime-neutral: the caller passes the text). */
export function parseConnectorsJson(text: string, source: string, env: Environment = processEnv()): ConnectorsFile {
  return parseConnectorsFile(parseJsonText(text, source), source, env);
}

/**
 * Reads a JSON connectors file once: validated (fail fast, naming the key), and returned as
 * declared, `${env:…}` references unresolved, for the config topic (each worker resolves them).
 */
export function readDeclaredConnectors(text: string, source: string, env: Environment = processEnv()): DeclaredConnector[] {
  const raw = parseJsonText(text, source);
  const file = parseConnectorsFile(raw, source, env);
  // The file validated, so it has the declared shape; the validated config has its secrets resolved.
  const declared = v.parse(DeclaredFileSchema, raw);
  return file.connectors.map((connector, index) => ({ name: connector.name, properties: declared.connectors[index]!.config }));
}
