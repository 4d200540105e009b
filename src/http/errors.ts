import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  AlreadyExistsError,
  AuthenticationError,
  BadRequestError,
  InvalidPushError,
  MisconfiguredError,
  NotFoundError,
  PushRefusedError,
  PushTooLargeError,
  RequestTimeoutError,
  RetryLaterError,
  ThrottledError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
  WorkerStartingError,
} from '../errors/index.ts';
import { errorBody } from './error-body.ts';
import type { Log } from '../log/index.ts';

/** How HTTP says each refusal of a push; a retry-later one also says when (Retry-After). */
function pushStatus(error: PushRefusedError): ContentfulStatusCode {
  if (error instanceof UnknownSourceError) return 404;
  if (error instanceof InvalidPushError) return 400;
  if (error instanceof AuthenticationError) return 401;
  if (error instanceof PushTooLargeError) return 413;
  if (error instanceof RequestTimeoutError) return 408;
  if (error instanceof ThrottledError) return 429;
  return 503;
}

/**
 * The one place errors become status codes (as Hono maps HTTPException): the herder's family as
 * Connect's ConnectExceptionMapper answers it, and a push's refusals, which tell the sender
 * whether and when to retry. Both come from src/errors, so the edge entry maps them the same way.
 * Anything else is a 500 that says nothing of its cause; the cause goes to `log` (which redacts
 * it: a driver's message may quote a database URL). The edge has no logger of its own yet: there
 * the 500 is all that is said.
 */
export const errorHandler = (log: Log | undefined): ErrorHandler => (error, c) => {
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof PushRefusedError) {
    if (error instanceof RetryLaterError) {
      c.header('Retry-After', String(error.retryAfterSeconds));
      if (error.options.closeConnection) c.header('Connection', 'close');
    }
    // What is left of a stalled body stays unread: the connection goes with it.
    if (error instanceof RequestTimeoutError) c.header('Connection', 'close');
    return errorBody(c, pushStatus(error), error.message, { ...error.details });
  }
  if (error instanceof NotFoundError) return errorBody(c, 404, error.message);
  if (error instanceof AlreadyExistsError) return errorBody(c, 409, error.message);
  if (error instanceof BadRequestError) return errorBody(c, 400, error.message);
  if (error instanceof UnsupportedMediaTypeError) return errorBody(c, 415, error.message);
  if (error instanceof MisconfiguredError) return errorBody(c, 500, error.message);
  if (error instanceof WorkerStartingError) {
    c.header('Retry-After', String(error.retryAfterSeconds));
    return errorBody(c, 503, error.message);
  }
  log?.error({ err: error, method: c.req.method, path: c.req.path }, `unhandled error on ${c.req.method} ${c.req.path}: ${error.message}`);
  return errorBody(c, 500, 'internal error');
};

/** A path no route serves. */
export const onNotFound: NotFoundHandler = (c) => errorBody(c, 404, `no route for ${c.req.method} ${c.req.path}`);
