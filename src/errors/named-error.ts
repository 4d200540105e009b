/** An error whose `name` is its class's, so logs and traces say which one without each class repeating it. */
export abstract class NamedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
