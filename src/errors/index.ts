// A leaf every layer may use: the herder's error family and the one walk along an error's causes.
export { causeChain, errorTrace, rootCause } from './cause.ts';
export { AlreadyExistsError, BadRequestError, ConnectError, InvalidConfigError, NotFoundError } from './connect-errors.ts';
