import * as v from 'valibot';
import { CliExit, EXIT } from './exit-codes.ts';

/** Kafka Connect's (and Inlet's) error body. */
const ErrorBody = v.object({ error_code: v.optional(v.number()), message: v.string() });

export interface ClientOptions {
  url: string;
  /** INLET_API_TOKEN: sent as `Authorization: Bearer …` to the REST API. */
  token?: string;
  /** Per request, not for streams (default 30 s). */
  timeoutMs: number;
}

export interface Answer {
  status: number;
  /** The parsed JSON body; undefined for an empty one. */
  body: unknown;
}

/** Why a fetch failed at the transport, for the message (Node hides it in `cause`). */
function transportReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** The REST API of one worker, over fetch: Node's and Bun's alike. */
export class RestClient {
  constructor(private readonly options: ClientOptions) {}

  get baseUrl(): string {
    return this.options.url.replace(/\/+$/, '');
  }

  private headers(extra: Record<string, string>, auth: boolean): Record<string, string> {
    return { ...(auth && this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}), ...extra };
  }

  /** fetch, with "cannot reach the worker" as exit 3 rather than a stack trace. */
  async raw(method: string, path: string, init: { body?: string; headers?: Record<string, string>; auth?: boolean; stream?: boolean } = {}): Promise<Response> {
    const signal = init.stream ? undefined : AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, body: init.body, headers: this.headers(init.headers ?? {}, init.auth ?? true), signal });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : transportReason(error);
      throw new CliExit(EXIT.unreachable, `cannot reach the worker at ${this.baseUrl}: ${reason}`);
    }
  }

  /** A JSON call; a non-2xx answer throws with the API's message and the exit code it means. */
  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await this.raw(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const answer = { status: response.status, body: await readBody(response) };
    if (!response.ok) throw apiError(method, path, answer);
    return answer;
  }

  async get(path: string): Promise<unknown> {
    return (await this.call('GET', path)).body;
  }
}

/** The body as JSON, or as text when it is not JSON; undefined when empty. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The exit a non-2xx answer means, with the API's own message. */
export function apiError(method: string, path: string, answer: Answer): CliExit {
  const parsed = v.safeParse(ErrorBody, answer.body);
  const message = parsed.success ? parsed.output.message : typeof answer.body === 'string' ? answer.body : `HTTP ${answer.status}`;
  const code = answer.status === 401 || answer.status === 403 ? EXIT.unauthorized : EXIT.refused;
  return new CliExit(code, `${method} ${path}: ${message} (HTTP ${answer.status})`);
}

/** A path segment (a connector's name may hold characters a URL reserves). */
export const seg = (text: string) => encodeURIComponent(text);
