import { NamedError } from './named-error.ts';

/**
 * Why a push is refused, in Inlet's terms: what went wrong and when to come back, never how HTTP
 * says it (src/http/errors.ts maps each to a status code and Retry-After). Nothing of a refused
 * push was accepted. `details` tells the sender where the fault is (a header, the records' issues,
 * the failed check), never a secret.
 */
export abstract class PushRefusedError extends NamedError {
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** No source connector of that name. */
export class UnknownSourceError extends PushRefusedError {}

/** The push is malformed: its body, a record or a header; `details` says which. */
export class InvalidPushError extends PushRefusedError {}

/** The push failed its connector's authentication; `details.check` names the check. */
export class AuthenticationError extends PushRefusedError {}

/** The body is over the connector's limit. */
export class PushTooLargeError extends PushRefusedError {}

/** The body did not arrive whole in time (a slow or stalled sender); its connection is closed. */
export class RequestTimeoutError extends PushRefusedError {}

export interface RetryLaterOptions {
  /** Hand the connection back: its body was left unread, or a drain is waiting on it. */
  closeConnection?: boolean;
}

/** The sender should push again after `retryAfterSeconds`. */
export abstract class RetryLaterError extends PushRefusedError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly options: RetryLaterOptions = {},
  ) {
    super(message);
  }
}

/** The records cannot be made durable now: Kafka unreachable, the connector paused, the worker draining. */
export class UnavailableError extends RetryLaterError {}

/** Too much is in flight; the sender should slow down (as Standard Webhooks asks senders to honour). */
export class ThrottledError extends RetryLaterError {}

/** A deployment setting is wrong (an edge binding, say): the operator's fault, not the sender's. */
export class MisconfiguredError extends NamedError {}
