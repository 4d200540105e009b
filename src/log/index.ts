// The logging port: what every layer logs through. The worker's entry point builds the one
// implementation (pino, in src/runtime); this leaf only says its shape, so the runtime-neutral
// folders log without importing a logging library or Node's types.

/** Structured fields of a log line, or a child logger's bindings (Connect's MDC: `connector`, `task`). */
export type LogFields = Readonly<Record<string, unknown>>;

/** One level: a message, or fields (an error under `err`) and a message. */
export interface LogMethod {
  (message: string): void;
  (fields: LogFields, message: string): void;
}

/**
 * A logger. Secrets are the logger's job, not the caller's: the implementation redacts secret-keyed
 * fields and URL passwords in every string it writes, fields and messages alike.
 */
export interface Log {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  /** A logger whose lines all carry `bindings`, as a Kafka Connect class logs with its connector and task in the MDC. */
  child(bindings: LogFields): Log;
}

/** The levels `INLET_LOG_LEVEL` takes, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export { repeatLimiter } from './repeat-limiter.ts';
