import { DrizzleQueryError } from 'drizzle-orm/errors';

// SQLSTATE classes and codes that a retry can get past: lost connections, serialization
// failures, deadlocks, lock timeouts, an administrator's shutdown or a crashed backend.
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
// node-postgres reports a connection lost mid-query with these messages and no code.
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)/;

/** True when the same statement may well succeed if tried again later. */
export function isTransientDbError(error: unknown): boolean {
  // Drizzle wraps driver errors (DrizzleQueryError); the driver's code sits on the cause.
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (hasTransientCode((e as { code?: unknown }).code)) return true;
    if (e instanceof Error && LOST_CONNECTION.test(e.message)) return true;
  }
  return false;
}

function hasTransientCode(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  if (TRANSIENT_NODE_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  return false;
}

/**
 * The driver's error behind Drizzle's wrapper. DrizzleQueryError's message carries the statement
 * and every bound value (for a batch, every row as JSON): not for logs or a task's trace.
 */
export function driverError(error: Error): Error {
  return error instanceof DrizzleQueryError && error.cause instanceof Error ? error.cause : error;
}
