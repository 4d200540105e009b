// Secret config values: Kafka Connect's `${env:NAME}` config-provider references, resolved when a
// config is parsed, and redaction (Connect shows a PASSWORD-typed value as "[hidden]"; the password
// of a URL, as in `connection.url`, is one too).
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

/**
 * Which variables a config may read (Kafka Connect's EnvVarConfigProvider `allowlist.pattern`):
 * every one for the operator's connectors file and the config topic, an allowlist for what the
 * REST API receives. Asked before the environment is, so a refusal says nothing of what is set.
 */
export type EnvAccess = (variable: string, key: string) => boolean;

const everyVariable: EnvAccess = () => true;

/** Substitutes every `${env:NAME}` in `text`; problems name the variable, never the value. */
export function resolveReferences(
  text: string,
  env: Environment,
  allowed: (variable: string) => boolean = () => true,
): { value: string; problems: string[] } {
  const problems: string[] = [];
  const value = text.replace(REFERENCE, (whole, provider: string, path: string | undefined, name: string) => {
    if (provider !== 'env' || path) {
      problems.push(`config provider "${provider}" is not supported (only \${env:NAME})`);
      return whole;
    }
    if (!allowed(name)) {
      problems.push(`environment variable ${name} is not in INLET_CONFIG_ENV_ALLOWLIST`);
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
  allowed: EnvAccess = everyVariable,
): { config: Record<string, unknown>; issues: FieldIssue[] } {
  const resolved: Record<string, unknown> = { ...config };
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!isSecretKey(key)) continue;
    const problems: string[] = [];
    const resolveOne = (text: unknown) => {
      if (typeof text !== 'string') return text;
      const result = resolveReferences(text, env, (variable) => allowed(variable, key));
      problems.push(...result.problems);
      return result.value;
    };
    resolved[key] = Array.isArray(value) ? value.map(resolveOne) : resolveOne(value);
    for (const message of new Set(problems)) issues.push({ path: key, message });
  }
  return { config: resolved, issues };
}

// The password of a URL's userinfo (`scheme://user:password@host`: up to the authority's last "@")
// and a `password=` query parameter (libpq's), wherever they stand in a text.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]*)@/gi;
const PASSWORD_PARAMETER = /([?&]password=)([^&#\s]*)/gi;

/** `text` with the password of every URL in it replaced by "[hidden]": for values and log lines. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${HIDDEN}@`).replace(PASSWORD_PARAMETER, `$1${HIDDEN}`);
}

/** The passwords of the URLs in `text` (userinfo and `password=`), undecoded as they stand there: what a log line must not show. */
export function urlPasswords(text: string): string[] {
  return [...text.matchAll(URL_PASSWORD), ...text.matchAll(PASSWORD_PARAMETER)].map((match) => match[2]!).filter((password) => password !== '' && password !== HIDDEN);
}

/** True when a URL's password is the redaction placeholder: a redacted view sent back as a value. */
export function hasHiddenUrlPassword(text: string): boolean {
  return [...text.matchAll(URL_PASSWORD), ...text.matchAll(PASSWORD_PARAMETER)].some((match) => match[2] === HIDDEN);
}

/** What the REST API and logs show of one config value: "[hidden]" for a secret, URLs without passwords. */
export function redactValue(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (isSecretKey(key)) return HIDDEN;
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? redactUrlPasswords(item) : item));
  return value;
}

/** A copy of `config` with every secret value replaced by "[hidden]", for logs and the REST API. */
export function redactSecrets<T extends object>(config: T): { [K in keyof T]: T[K] | typeof HIDDEN } {
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const key of Object.keys(copy)) copy[key] = redactValue(key, copy[key]);
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
  // A redacted view sent back: signing with the placeholder anyone can read is no secret.
  v.check((secrets) => !secrets.includes(HIDDEN), `holds the redaction placeholder ${HIDDEN}, not a secret`),
);

/** Standard Webhooks secrets: base64, optionally prefixed `whsec_`. */
export const standardWebhooksSecretsSetting = v.pipe(
  secretListSetting,
  v.check(
    (secrets) => secrets.every((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s.replace(/^whsec_/, ''))),
    'each secret must be base64, optionally prefixed whsec_',
  ),
);
