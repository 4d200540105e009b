import * as v from 'valibot';
import { expectAnswer } from '../answers.ts';
import { apiError, readBody, seg } from '../client.ts';
import { CliExit, EXIT, usageError } from '../exit-codes.ts';
import type { CliContext } from '../context.ts';
import { readText } from '../files.ts';
import { printJson } from '../output.ts';
import { PushSigningError, signPush } from '../../signing/index.ts';

export interface SendOptions {
  file: string;
  secret?: string;
  id?: string;
  event: string;
  /** Extra request headers, `name: value` (a `traceparent`, say); the signature's own win. */
  headers: string[];
}

function extraHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw usageError(`--header "${line}" is not "name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Posts an event to /ingest/{name}, signed for the connector's type (read from its config), and
 * prints the worker's answer. A refused push (bad signature, bad body) exits 1.
 */
export async function send(ctx: CliContext, name: string, options: SendOptions): Promise<void> {
  const extra = extraHeaders(options.headers);
  const body = await readText(options.file);
  const configPath = `/connectors/${seg(name)}/config`;
  const config = expectAnswer(v.record(v.string(), v.string()), await ctx.client.get(configPath), `GET ${configPath}`);
  const headers = await signPush({
    connectorClass: config['connector.class'] ?? '',
    config,
    body,
    secret: options.secret,
    id: options.id ?? `msg_${crypto.randomUUID()}`,
    event: options.event,
    nowSeconds: Math.floor(Date.now() / 1000),
  }).catch((error: unknown) => {
    throw error instanceof PushSigningError ? usageError(error.message) : error;
  });
  const path = `/ingest/${seg(name)}`;
  // Ingest has its own authentication (the signature); the API token is not sent to it.
  const response = await ctx.client.raw('POST', path, { body, headers: { ...extra, ...headers }, auth: false });
  const answer = { status: response.status, body: await readBody(response) };
  // A 401 here is the connector refusing the signature, not the API token: a refusal, exit 1.
  if (!response.ok) throw new CliExit(EXIT.refused, apiError('POST', path, answer).message);
  if (ctx.json) return printJson(ctx.output, { status: answer.status, body: answer.body ?? null });
  ctx.output.out(`${answer.status} ${answer.body === undefined ? '' : JSON.stringify(answer.body)}\n`);
}
