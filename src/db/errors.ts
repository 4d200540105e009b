import { causeChain, NamedError } from '../errors/index.ts';

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
  for (const e of causeChain(error)) {
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
 * The family of errors the sink store raises itself (not the driver's): a table the rows cannot go
 * into as the sink's policy stands. Retrying does not help; callers check this one class.
 */
export class DbError extends NamedError {}

/** A table is missing and may not be created (auto.create off, or schema.evolution=none). */
export class MissingTableError extends DbError {}

/** A row has a field its table lacks, and the table may not gain it (schema.evolution=none). */
export class UnknownColumnError extends DbError {
  constructor(
    readonly table: string,
    readonly column: string,
    /** Index of the first such row in the rows given. */
    readonly rowIndex: number,
  ) {
    super(`field "${column}" is not a column of table "${table}" and schema.evolution is none`);
  }
}

/** Adding the columns rows need would take a table past the column cap (table.max.columns). */
export class ColumnLimitError extends DbError {
  constructor(
    readonly table: string,
    /** The first field that does not fit. */
    readonly column: string,
    readonly maxColumns: number,
  ) {
    super(`field "${column}" would be column ${maxColumns + 1} of table "${table}", past table.max.columns (${maxColumns})`);
  }
}
