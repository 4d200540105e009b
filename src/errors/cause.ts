// Depth bound: a cycle of causes must not hang a log line or a status trace.
const MAX_DEPTH = 5;

/**
 * The innermost error `error` wraps through `cause`: Drizzle wraps the driver's error ("Failed
 * query: …", carrying the statement and every bound value), and the driver's own error says what
 * is wrong without them.
 */
export function rootCause(error: unknown): Error {
  let cause = error instanceof Error ? error : new Error(String(error));
  for (let depth = 0; cause.cause instanceof Error && depth < MAX_DEPTH; depth++) cause = cause.cause;
  return cause;
}

/** `error` and every error it wraps through `cause`, outermost first. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth <= MAX_DEPTH; e = (e as { cause?: unknown }).cause, depth++) chain.push(e);
  return chain;
}

/**
 * An error as a status trace: its stack, then what it wraps (`cause`, and an aggregate's
 * `errors`), since the reason a driver gives (a missing database, a colliding topic) is often
 * only there.
 */
export function errorTrace(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  let trace = error.stack ?? `${error.name}: ${error.message}`;
  if (depth >= MAX_DEPTH) return trace;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) for (const e of inner) trace += `\nCaused by: ${errorTrace(e, depth + 1)}`;
  if (error.cause !== undefined) trace += `\nCaused by: ${errorTrace(error.cause, depth + 1)}`;
  return trace;
}
