/** The records could not be made durable now; the sender should retry after `retryAfterSeconds`. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
