import type { MiddlewareHandler } from 'hono';
import { UnsupportedMediaTypeError } from '../errors/index.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const isJson = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';

/**
 * The REST API's mutating routes take JSON only, so a browser cannot drive them with a cross-site
 * form post (forms send `application/x-www-form-urlencoded`, `multipart/form-data` or
 * `text/plain`, all answered 415; a JSON content type needs a CORS preflight Inlet never grants).
 * As in Kafka Connect, whose resources declare `@Consumes(application/json)`: a content type
 * other than JSON is refused on every mutating route, and a request with no content type passes
 * only when it has no body (`curl -X PUT …/pause`, `DELETE …`, `POST …/restart`).
 */
export const jsonBodiesOnly: MiddlewareHandler = async (c, next) => {
  if (!MUTATING.has(c.req.method)) return next();
  const contentType = c.req.header('content-type');
  if (contentType === undefined) {
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (!hasBody) return next();
  } else if (isJson(contentType)) return next();
  throw new UnsupportedMediaTypeError(`the REST API takes request bodies as application/json only (got ${contentType ?? 'a body without a content type'})`);
};
