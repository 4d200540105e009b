import * as v from 'valibot';
import { ConfigError } from './env.ts';
import { ConnectorsFileSchema, type ConnectorsFile } from './connector-config.ts';
import { formatIssues, toFieldIssues } from './issues.ts';

/** Validates an already-read connectors file; errors name the offending key. */
export function parseConnectorsFile(raw: unknown, source = 'connectors config'): ConnectorsFile {
  const result = v.safeParse(ConnectorsFileSchema, raw);
  if (!result.success) throw new ConfigError(`${source}: ${formatIssues(toFieldIssues(result.issues))}`);
  return result.output;
}

/** Reads a JSON connectors file (runtime-neutral: the caller passes the text). */
export function parseConnectorsJson(text: string, source: string): ConnectorsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  return parseConnectorsFile(raw, source);
}
