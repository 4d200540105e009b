import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AlreadyExistsError, BadRequestError, NotFoundError } from '../errors/index.ts';
import { ThrottledError, UnavailableError } from '../source/index.ts';
import { errorBody } from './error-body.ts';

/**
 * The one place errors become status codes (as Hono maps HTTPException): the herder's family
 * (src/errors) as Connect's ConnectExceptionMapper answers it, and ingest's refusals (src/source),
 * which tell the sender when to retry.
 */
export const onError: ErrorHandler = (error, c) => {
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof NotFoundError) return errorBody(c, 404, error.message);
  if (error instanceof AlreadyExistsError) return errorBody(c, 409, error.message);
  if (error instanceof BadRequestError) return errorBody(c, 400, error.message);
  if (error instanceof ThrottledError || error instanceof UnavailableError) {
    c.header('Retry-After', String(error.retryAfterSeconds));
    return errorBody(c, error instanceof ThrottledError ? 429 : 503, error.message);
  }
  console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
  return errorBody(c, 500, 'internal error');
};
