// A leaf every layer may use: the error families (the herder's, and a push's refusals) and the
// one walk along an error's causes. src/http/errors.ts is the one place they become status codes.
export { NamedError } from './named-error.ts';
export { causeChain, errorTrace, rootCause } from './cause.ts';
export { AlreadyExistsError, BadRequestError, ConnectError, InvalidConfigError, NotFoundError, UnsupportedMediaTypeError, WorkerStartingError } from './connect-errors.ts';
export {
  AuthenticationError,
  InvalidPushError,
  MisconfiguredError,
  PushRefusedError,
  PushTooLargeError,
  RequestTimeoutError,
  RetryLaterError,
  ThrottledError,
  UnavailableError,
  UnknownSourceError,
  type RetryLaterOptions,
} from './push-refusals.ts';
