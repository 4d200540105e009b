// Secret config values: Kafka Connect's `${env:NAME}` config-provider references, resolved when a
// config is parsed, and redaction (Connect shows a PASSWORD-typed value as "[hidden]").
import * as v from 'valibot';
import type { FieldIssue } from './issues.ts';

export const HIDDEN = '[hidden]';

/** Keys whose values are secrets: `secrets`, `auth.secrets`, `auth.tokens`, `*.password`, … */
export function isSecretKey(key: string): boolean {
  return /(^|\.)(secrets?|tokens?|password)$/i.test(key);
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** The process environment where there is one (Node, Bun, Deno's Node compatibility); else none. */
export function processEnv(): Environment {
  return (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
}

// Connect's ConfigTransformer syntax: ${provider:[path:]key}. Only the `env` provider exists here.
const REFERENCE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

/** Substitutes every `${env:NAME}` in `text`; problems name the variable, never the value. */
export function resolveReferences(text: string, env: Environment): { value: string; problems: string[] } {
  const problems: string[] = [];
  const value = text.replace(REFERENCE, (whole, provider: string, path: string | undefined, name: string) => {
    if (provider !== 'env' || path) {
      problems.push(`config provider "${provider}" is not supported (only \${env:NAME})`);
      return whole;
    }
    const found = env[name];
    if (found === undefined) {
      problems.push(`environment variable ${name} is not set`);
      return whole;
    }
    return found;
  });
  return { value, problems };
}

/**
 * Resolves `${env:NAME}` references in the secret-valued keys of one connector config (strings, or
 * arrays of strings). Returns the resolved copy and one issue per unresolvable key, addressed by key.
 */
export function resolveSecretReferences(
  config: Readonly<Record<string, unknown>>,
  env: Environment = processEnv(),
): { config: Record<string, unknown>; issues: FieldIssue[] } {
  const resolved: Record<string, unknown> = { ...config };
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!isSecretKey(key)) continue;
    const problems: string[] = [];
    const resolveOne = (text: unknown) => {
      if (typeof text !== 'string') return text;
      const result = resolveReferences(text, env);
      problems.push(...result.problems);
      return result.value;
    };
    resolved[key] = Array.isArray(value) ? value.map(resolveOne) : resolveOne(value);
    for (const message of new Set(problems)) issues.push({ path: key, message });
  }
  return { config: resolved, issues };
}

/** A copy of `config` with every secret value replaced by "[hidden]", for logs and the REST API. */
export function redactSecrets<T extends object>(config: T): { [K in keyof T]: T[K] | typeof HIDDEN } {
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const key of Object.keys(copy)) {
    if (isSecretKey(key) && copy[key] !== undefined) copy[key] = HIDDEN;
  }
  return copy as { [K in keyof T]: T[K] | typeof HIDDEN };
}

// Messages of secret settings are fixed texts: valibot's defaults quote the received value.
const stringOrList = v.union([v.array(v.string('must be a string')), v.string()], 'must be a string or a list of strings');

/**
 * One or more secrets (a list, or a comma-separated string; several allow rotation). A reference
 * left unresolved (the config did not come through the loader) is refused rather than used as a key.
 */
export const secretListSetting = v.pipe(
  stringOrList,
  v.transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean)),
  v.minLength(1, 'must name at least one secret'),
  v.check((secrets) => secrets.every((s) => !s.includes('${')), 'holds an unresolved ${…} config provider reference'),
);

/** Standard Webhooks secrets: base64, optionally prefixed `whsec_`. */
export const standardWebhooksSecretsSetting = v.pipe(
  secretListSetting,
  v.check(
    (secrets) => secrets.every((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s.replace(/^whsec_/, ''))),
    'each secret must be base64, optionally prefixed whsec_',
  ),
);
