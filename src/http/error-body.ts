import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Kafka Connect's error body: `{error_code, message}`, plus details where they help the sender. */
export function errorBody(c: Context, status: ContentfulStatusCode, message: string, details: Record<string, unknown> = {}) {
  return c.json({ error_code: status, message, ...details }, status);
}
