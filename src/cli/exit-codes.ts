/**
 * What `inlet` exits with, so scripts can tell a refusal from a typo from a worker that is down.
 * README's CLI section lists them; keep the two in step.
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The worker answered with an error or refused (4xx/5xx other than 401/403, a push refused, a blocked replay). */
  refused: 1,
  /** Bad arguments, or a file that cannot be read or is not the JSON asked for. */
  usage: 2,
  /** The worker could not be reached (connection refused, DNS, timeout). */
  unreachable: 3,
  /** The worker wants a (different) API token: INLET_API_TOKEN is missing or wrong (401/403). */
  unauthorized: 4,
  /** `inlet validate` found errors in the config. */
  invalidConfig: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Ends a command with an exit code and a message for stderr; main() turns it into the exit. */
export class CliExit extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export const usageError = (message: string) => new CliExit(EXIT.usage, message);
