import * as v from 'valibot';
import { expectAnswer } from '../answers.ts';
import { apiError, readBody, seg } from '../client.ts';
import { CliExit, EXIT } from '../exit-codes.ts';
import type { CliContext } from '../context.ts';
import { readText } from '../files.ts';
import { printJson } from '../output.ts';
import { signPush } from '../sign.ts';

export interface SendOptions {
  file: string;
  secret?: string;
  id?: string;
  event: string;
}

/**
 * Posts an event to /ingest/{name}, signed for the connector's type (read from its config), and
 * prints the worker's answer. A refused push (bad signature, bad body) exits 1.
 */
export async function send(ctx: CliContext, name: string, options: SendOptions): Promise<void> {
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
  });
  const path = `/ingest/${seg(name)}`;
  // Ingest has its own authentication (the signature); the API token is not sent to it.
  const response = await ctx.client.raw('POST', path, { body, headers, auth: false });
  const answer = { status: response.status, body: await readBody(response) };
  // A 401 here is the connector refusing the signature, not the API token: a refusal, exit 1.
  if (!response.ok) throw new CliExit(EXIT.refused, apiError('POST', path, answer).message);
  if (ctx.json) return printJson(ctx.output, { status: answer.status, body: answer.body ?? null });
  ctx.output.out(`${answer.status} ${answer.body === undefined ? '' : JSON.stringify(answer.body)}\n`);
}
