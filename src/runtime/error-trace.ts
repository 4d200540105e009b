/**
 * An error as a status trace: its stack, then what it wraps (`cause`, and an aggregate's
 * `errors`), since the reason a driver gives (a missing database, a colliding topic) is often
 * only there.
 */
export function errorTrace(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  let trace = error.stack ?? `${error.name}: ${error.message}`;
  if (depth >= 5) return trace;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) for (const e of inner) trace += `\nCaused by: ${errorTrace(e, depth + 1)}`;
  if (error.cause !== undefined) trace += `\nCaused by: ${errorTrace(error.cause, depth + 1)}`;
  return trace;
}
