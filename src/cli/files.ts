import { readFile } from 'node:fs/promises';
import { usageError } from './exit-codes.ts';

/** A file's text; a missing or unreadable file is a usage error (exit 2). */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const text = await readText(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw usageError(`${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * A connector file: Connect's `{"name": …, "config": {…}}` (what POST /connectors takes), or the
 * flat config map with its `name` inside (what GET /connectors/{name}/config shows).
 */
export async function readConnectorFile(path: string): Promise<{ name: string | undefined; config: Record<string, unknown> }> {
  const file = await readJsonObject(path);
  if (typeof file.config === 'object' && file.config !== null && !Array.isArray(file.config)) {
    return { name: typeof file.name === 'string' ? file.name : undefined, config: file.config as Record<string, unknown> };
  }
  return { name: typeof file.name === 'string' ? file.name : undefined, config: file };
}
