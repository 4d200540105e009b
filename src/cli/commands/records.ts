import * as v from 'valibot';
import { expectAnswer, ReplayResult, StreamError, TopicRecord } from '../answers.ts';
import { apiError, readBody, seg } from '../client.ts';
import type { CliContext } from '../context.ts';
import { CliExit, EXIT, usageError } from '../exit-codes.ts';
import { firstLine, printJson, printTable } from '../output.ts';

/** The `__connect.errors.*` headers a dead letter carries (Kafka Connect's names). */
const ERRORS = {
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  stage: '__connect.errors.stage',
  exceptionClass: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
} as const;

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** A record on one line: when, where, its source position and trace, its key and value. */
function recordLine(record: TopicRecord): string {
  const parts = [time(record.timestamp), `${record.topic}/${record.partition}@${record.offset}`];
  if (record.source_offset !== undefined) parts.push(`source=${record.source_partition ?? ''}/${record.source_offset}`);
  if (record.trace_id) parts.push(`trace=${record.trace_id}`);
  if (record.key !== null) parts.push(`key=${record.key}`);
  parts.push(record.encoding === 'base64' ? `base64:${record.value ?? 'null'}` : (record.value ?? 'null'));
  return `${parts.join('  ')}\n`;
}

/** What --grep looks through, each on its own (so `^…$` anchors one): key, value and header values. */
const searchable = (record: TopicRecord) => [record.key ?? '', record.value ?? '', ...Object.values(record.headers)];

function pattern(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw usageError(`--grep: ${(error as Error).message}`);
  }
}

export interface TailOptions {
  fromBeginning: boolean;
  grep?: string;
  /** Stop after this many records shown. */
  limit?: number;
}

/** Lines of a streamed body as they arrive. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
  if (pending) yield pending;
}

/**
 * Follows a connector's topic (GET /connectors/{name}/records, NDJSON) and prints each record as it
 * arrives; with --json, the worker's lines as they are.
 */
export async function tail(ctx: CliContext, name: string, options: TailOptions): Promise<void> {
  const grep = pattern(options.grep);
  const query = new URLSearchParams({ from: options.fromBeginning ? 'beginning' : 'end' });
  // Without a filter the worker can stop by itself; with one, only this side knows what matched.
  if (options.limit !== undefined && !grep) query.set('limit', String(options.limit));
  const path = `/connectors/${seg(name)}/records?${query}`;
  const response = await ctx.client.raw('GET', path, { stream: true });
  if (!response.ok || !response.body) throw apiError('GET', path, { status: response.status, body: await readBody(response) });
  let shown = 0;
  const body = response.body;
  try {
    for await (const line of lines(body)) {
      if (line.trim() === '') continue; // the worker's keep-alive
      const parsed: unknown = JSON.parse(line);
      const failure = v.safeParse(StreamError, parsed);
      if (failure.success) throw new CliExit(EXIT.refused, `the worker ended the stream: ${failure.output.message}`);
      const record = expectAnswer(TopicRecord, parsed, `GET ${path}`);
      if (grep && !searchable(record).some((text) => grep.test(text))) continue;
      ctx.output.out(ctx.json ? `${line}\n` : recordLine(record));
      if (options.limit !== undefined && ++shown >= options.limit) {
        await body.cancel().catch(() => {});
        return;
      }
    }
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(EXIT.unreachable, `lost the worker at ${ctx.client.baseUrl}: ${(error as Error).message}`);
  }
  if (options.limit === undefined || shown < options.limit) throw new CliExit(EXIT.unreachable, `the worker at ${ctx.client.baseUrl} closed the stream`);
}

export async function listDeadLetters(ctx: CliContext, name: string, limit: number): Promise<void> {
  const path = `/connectors/${seg(name)}/dlq?limit=${limit}`;
  const answer = await ctx.client.get(path);
  if (ctx.json) return printJson(ctx.output, answer);
  const letters = expectAnswer(v.array(TopicRecord), answer, `GET ${path}`);
  printTable(
    ctx.output,
    ['partition', 'offset', 'time', 'from', 'stage', 'error'],
    letters.map((letter) => {
      const h = letter.headers;
      const error = [h[ERRORS.exceptionClass], firstLine(h[ERRORS.exceptionMessage])].filter(Boolean).join(': ');
      return [String(letter.partition), String(letter.offset), time(letter.timestamp), `${h[ERRORS.topic] ?? '?'}/${h[ERRORS.partition] ?? '?'}@${h[ERRORS.offset] ?? '?'}`, h[ERRORS.stage] ?? '', error];
    }),
  );
}

/** Applies the dead letters again; a letter that still fails stops the replay and exits 1. */
export async function replayDeadLetters(ctx: CliContext, name: string, throughOffset?: number): Promise<void> {
  const path = `/connectors/${seg(name)}/dlq/replay${throughOffset === undefined ? '' : `?offset=${throughOffset}`}`;
  const answer = (await ctx.client.call('POST', path)).body;
  const result = expectAnswer(ReplayResult, answer, `POST ${path}`);
  if (ctx.json) printJson(ctx.output, answer);
  else {
    ctx.output.out(`replayed ${result.replayed} dead letter${result.replayed === 1 ? '' : 's'}\n`);
    if (result.more) ctx.output.out('more remain: replay again\n');
  }
  if (result.blocked) {
    const { partition, offset, error } = result.blocked;
    throw new CliExit(EXIT.refused, `the dead letter at partition ${partition} offset ${offset} still fails: ${error}`);
  }
}
