// The worker's logger: pino behind the Log port. JSON lines on stdout by default (what a container
// platform collects), pino-pretty's human lines when stdout is a terminal. Secrets are redacted here,
// in the logger itself, so no caller can put one in a line by passing the wrong thing.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { HIDDEN, isSecretKey, redactUrlPasswords } from '../config/index.ts';
import type { Log, LogLevel } from '../log/index.ts';

export interface LoggerSettings {
  level: LogLevel;
  /** Human-readable lines (a terminal); else JSON lines. */
  pretty: boolean;
  /** Where lines go; stdout unless a test takes them. */
  destination?: DestinationStream;
}

// Deep enough for a connector config inside a status inside an error; a line never needs more.
const MAX_DEPTH = 8;

/**
 * `value` as a log line may show it: a secret-keyed field ("secrets", "auth.tokens", "*.password",
 * the keys the REST API hides) reads "[hidden]", every string loses its URL passwords (a driver's
 * message may quote `connection.url`), and an error becomes its serialized form, redacted alike.
 */
function redactForLog(value: unknown, key?: string, depth = 0): unknown {
  if (key !== undefined && isSecretKey(key) && value !== undefined && value !== null) return HIDDEN;
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return redactForLog({ ...pino.stdSerializers.err(value) }, undefined, depth + 1);
  if (Array.isArray(value)) return value.map((item: unknown) => redactForLog(item, undefined, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Class instances other than errors (bytes, maps, clients) are not fields to log; plain objects are walked.
  if (prototype !== Object.prototype && prototype !== null) return `[${(value as object).constructor?.name ?? 'object'}]`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactForLog(v, k, depth + 1)]));
}

function options(level: LogLevel): LoggerOptions {
  return {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => redactForLog(fields) as Record<string, unknown>,
    },
    // formatters.log has already serialized (and redacted) errors; serializing again would lose their type.
    serializers: { err: (value: unknown) => value },
    hooks: {
      // The message (and any printf-style arguments) may quote a URL with its password.
      logMethod(args, method) {
        const redacted = args.map((arg: unknown) => (typeof arg === 'string' ? redactUrlPasswords(arg) : arg)) as Parameters<typeof method>;
        method.apply(this, redacted);
      },
    },
  };
}

/** `logger` as the Log port. pino runs formatters.log on each line's fields but not on a child's bindings: those are redacted here. */
function asLog(logger: Logger): Log {
  return {
    error: logger.error.bind(logger),
    warn: logger.warn.bind(logger),
    info: logger.info.bind(logger),
    debug: logger.debug.bind(logger),
    child: (bindings) => asLog(logger.child(redactForLog(bindings) as Record<string, unknown>)),
  };
}

/** The worker's logger. pino-pretty is loaded only for a terminal; JSON lines need nothing more. */
export async function createLogger(settings: LoggerSettings): Promise<Log> {
  if (settings.destination) return asLog(pino(options(settings.level), settings.destination));
  if (settings.pretty) {
    const { default: pretty } = await import('pino-pretty');
    // Synchronous, as pino's own stdout: a line written just before process.exit is not lost.
    return asLog(pino(options(settings.level), pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })));
  }
  return asLog(pino(options(settings.level), pino.destination({ dest: 1, sync: true })));
}
