import { NamedError } from './named-error.ts';

/**
 * What a request to the herder fails on, in Kafka Connect's terms (its NotFoundException,
 * AlreadyExistsException, BadRequestException): what went wrong, never how HTTP says it.
 * src/http/errors.ts maps each to a status code.
 */
export abstract class ConnectError extends NamedError {}

/** No connector, task or plugin of that name. */
export class NotFoundError extends ConnectError {}

/** A connector of that name exists already. */
export class AlreadyExistsError extends ConnectError {}

/** The request cannot be carried out as asked (a malformed body, offsets changed while running…). */
export class BadRequestError extends ConnectError {}

/** A connector config (or name) that does not validate; the message names the fields. */
export class InvalidConfigError extends BadRequestError {}

/** The worker has not joined its cluster yet (Connect answers 503 during startup, KIP-1017); ask again later. */
export class WorkerStartingError extends ConnectError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A body the REST API does not take (it takes JSON only). */
export class UnsupportedMediaTypeError extends ConnectError {}
