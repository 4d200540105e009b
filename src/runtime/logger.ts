// The worker's logger: pino behind the Log port. JSON lines on stdout by default (what a container
// platform collects), pino-pretty's human lines when stdout is a terminal. Secrets are redacted here,
// in the logger itself, so no caller can put one in a line by passing the wrong thing.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { HIDDEN, isSecretKey, redactUrlPasswords, urlPasswords, type Environment } from '../config/index.ts';
import type { Log, LogLevel } from '../log/index.ts';

export interface LoggerSettings {
  level: LogLevel;
  /** Human-readable lines (a terminal); else JSON lines. */
  pretty: boolean;
  /** Where lines go; stdout unless a test takes them. */
  destination?: DestinationStream;
  /** Secret values this process holds (its API token, its connectors' resolved secrets): never written, whatever key or text holds them. */
  secrets?: KnownSecrets;
}

// Deep enough for a connector config inside a status inside an error; a line never needs more.
const MAX_DEPTH = 8;

/**
 * Field names whose values are secrets, matched case-insensitively on the whole key (dotted config
 * keys, env-style, camelCase and header names alike): HTTP's credential headers, anything naming an
 * API key, and names ending in token, secret, password, passwd, credentials or a private or
 * signing key (`auth.tokens`, `INLET_API_TOKEN`, `apiToken`, `DB_PASSWORD`, `x-api-key`,
 * `signing_key`, `AWS_SECRET_ACCESS_KEY`). Wider than the REST API's rule (isSecretKey, which also
 * decides which config keys resolve `${env:…}`): a log line loses nothing by hiding a field that
 * merely looks secret.
 */
const SECRET_NAME =
  /(^|[._-])((proxy-)?authorization|(set-)?cookie)$|api[._-]?keys?|(tokens?|secrets?|passwords?|passwd|credentials?|(private|signing|secret|encryption|secret[._-]?access)[._-]?keys?)$/i;

/** True when a log field named `key` holds a secret (the logger's rule, wider than the REST API's). */
export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key) || isSecretKey(key);
}

// Credentials a message may quote outside a URL's userinfo: an `Authorization: Bearer …` header as
// text, and token-like query parameters (URL passwords are config's redactUrlPasswords).
const CREDENTIAL_HEADER_TEXT = /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|digest|token)\s+)?)([A-Za-z0-9._~+/=-]{8,})/gi;
const SECRET_PARAMETER = /([?&;](?:access_token|token|api[_-]?key|apikey|secret|client_secret|signature|sig)=)([^&#\s]*)/gi;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Secret values the process knows, scrubbed from every string a line holds (message, fields, an
 * error's message and stack), under whatever key: a driver's message may quote a password, a
 * transform's error a token, under names no key rule can know. Values shorter than
 * MIN_SECRET_LENGTH are not kept: scrubbing "test" or "1" out of every line would garble them and
 * protect nothing. The set only grows: a connector removed may still be quoted by a late line.
 */
export class KnownSecrets {
  static readonly MIN_SECRET_LENGTH = 8;
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(values: Iterable<string | undefined>): void {
    let added = false;
    for (const value of values) {
      if (value === undefined || value.length < KnownSecrets.MIN_SECRET_LENGTH || value === HIDDEN || this.values.has(value)) continue;
      this.values.add(value);
      added = true;
    }
    // Longest first: a secret that contains another is hidden whole.
    if (added) this.pattern = new RegExp([...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  }

  scrub(text: string): string {
    return this.pattern ? text.replace(this.pattern, HIDDEN) : text;
  }
}

/**
 * The secret values in `fields` (an environment, a resolved connector config): the values of
 * secret-named keys (each of a list, each of a comma-separated one, a Standard Webhooks secret
 * with and without `whsec_`) and the password of every URL any value holds.
 */
export function secretValuesOf(fields: Environment | Readonly<Record<string, unknown>>): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const texts = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
    for (const text of texts) {
      found.push(...urlPasswords(text));
      if (!isSecretName(key)) continue;
      for (const part of [text, ...text.split(',').map((s) => s.trim())]) found.push(part, part.replace(/^whsec_/, ''));
    }
  }
  return found;
}

function redactString(text: string, secrets: KnownSecrets | undefined): string {
  const scrubbed = secrets ? secrets.scrub(text) : text;
  return redactUrlPasswords(scrubbed).replace(CREDENTIAL_HEADER_TEXT, `$1${HIDDEN}`).replace(SECRET_PARAMETER, `$1${HIDDEN}`);
}

/**
 * `value` as a log line may show it: a secret-named field reads "[hidden]" at any depth, every
 * string loses the known secret values, URL passwords and credentials it quotes, and an error
 * becomes its serialized form, redacted alike.
 *
 * Not pino's `redact` option: its paths (fast-redact) are exact, case-sensitive and wildcard one
 * level at a time, so they cannot say "any key named like a token, at any depth", and they never
 * look inside strings; this walk does both, once per line.
 */
function redactForLog(value: unknown, secrets: KnownSecrets | undefined, key?: string, depth = 0): unknown {
  if (key !== undefined && isSecretName(key) && value !== undefined && value !== null) return HIDDEN;
  if (typeof value === 'string') return redactString(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return redactForLog({ ...pino.stdSerializers.err(value) }, secrets, undefined, depth + 1);
  if (Array.isArray(value)) return value.map((item: unknown) => redactForLog(item, secrets, undefined, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Class instances other than errors (bytes, maps, clients) are not fields to log; plain objects are walked.
  if (prototype !== Object.prototype && prototype !== null) return `[${(value as object).constructor?.name ?? 'object'}]`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactForLog(v, secrets, k, depth + 1)]));
}

function options(level: LogLevel, secrets: KnownSecrets | undefined): LoggerOptions {
  return {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => redactForLog(fields, secrets) as Record<string, unknown>,
    },
    // formatters.log has already serialized (and redacted) errors; serializing again would lose their type.
    serializers: { err: (value: unknown) => value },
    hooks: {
      // The message (and any printf-style arguments) may quote a URL with its password, or a secret.
      logMethod(args, method) {
        const redacted = args.map((arg: unknown) => (typeof arg === 'string' ? redactString(arg, secrets) : arg)) as Parameters<typeof method>;
        method.apply(this, redacted);
      },
    },
  };
}

/** `logger` as the Log port. pino runs formatters.log on each line's fields but not on a child's bindings: those are redacted here. */
function asLog(logger: Logger, secrets: KnownSecrets | undefined): Log {
  return {
    error: logger.error.bind(logger),
    warn: logger.warn.bind(logger),
    info: logger.info.bind(logger),
    debug: logger.debug.bind(logger),
    child: (bindings) => asLog(logger.child(redactForLog(bindings, secrets) as Record<string, unknown>), secrets),
  };
}

/** The process's logger (the worker's, the edge forwarder's). pino-pretty is loaded only for a terminal; JSON lines need nothing more. */
export async function createLogger(settings: LoggerSettings): Promise<Log> {
  const { secrets } = settings;
  if (settings.destination) return asLog(pino(options(settings.level, secrets), settings.destination), secrets);
  if (settings.pretty) {
    const { default: pretty } = await import('pino-pretty');
    // Synchronous, as pino's own stdout: a line written just before process.exit is not lost.
    return asLog(pino(options(settings.level, secrets), pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })), secrets);
  }
  return asLog(pino(options(settings.level, secrets), pino.destination({ dest: 1, sync: true })), secrets);
}
