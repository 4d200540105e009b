import type { RestClient } from './client.ts';
import type { Output } from './output.ts';

/** What every command gets: the worker's API, where to write, and whether scripts read it (`--json`). */
export interface CliContext {
  client: RestClient;
  output: Output;
  json: boolean;
}
