import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import * as v from 'valibot';
import { BadRequestError, NotFoundError } from '../errors/index.ts';
import type { Herder, RecordsFrom, TopicRecordView } from './herder.ts';

/** Records waiting for a slow reader beyond this end its stream (with an error line), not the worker's memory. */
const MAX_WAITING_RECORDS = 10_000;
/**
 * A quiet stream still sends a blank line this often: Bun.serve closes a connection idle for its
 * idle timeout (a few seconds past INLET_REQUEST_TIMEOUT_MS) even while a response streams.
 */
const KEEPALIVE_MS = 5_000;
const MAX_DEAD_LETTERS = 10_000;

const FromSchema = v.optional(v.picklist(['beginning', 'end'], 'from must be beginning or end'), 'end');
const limitSchema = (max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, `limit must be a whole number from 1 to ${max}`),
    v.transform(Number),
    v.minValue(1, `limit must be a whole number from 1 to ${max}`),
    v.maxValue(max, `limit must be a whole number from 1 to ${max}`),
  );

function query<T>(schema: v.GenericSchema<unknown, T>, value: unknown): T {
  const parsed = v.safeParse(schema, value);
  if (!parsed.success) throw new BadRequestError(parsed.issues[0].message);
  return parsed.output;
}

/** Records read for one stream, waiting to be written; records past `limit` are ignored. */
class RecordFeed {
  private lines: string[] = [];
  private received = 0;
  private wake: (() => void) | undefined;
  overflowed = false;

  constructor(private readonly limit: number) {}

  readonly push = (record: TopicRecordView): void => {
    if (this.received >= this.limit || this.overflowed) return;
    this.received++;
    this.lines.push(`${JSON.stringify(record)}\n`);
    if (this.lines.length > MAX_WAITING_RECORDS) this.overflowed = true;
    this.notify();
  };

  readonly notify = (): void => {
    this.wake?.();
    this.wake = undefined;
  };

  /** Everything waiting, as one chunk ('' when nothing is). */
  take(): string {
    return this.lines.splice(0).join('');
  }

  /** True once `limit` records were received and taken. */
  get complete(): boolean {
    return this.received >= this.limit && this.lines.length === 0;
  }

  /** Resolves true when a record arrives or notify() is called, false when `ms` passed first. */
  waitFor(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/**
 * Inlet's own routes (not Connect's) to see what flows: a connector's records as they arrive, and
 * a sink's dead letters. The web console and the CLI (`inlet tail`, `inlet dlq ls`) read them.
 */
export function recordsRoutes(herder: Herder) {
  const app = new Hono();

  const found = (c: Context): string => {
    const name = c.req.param('name')!;
    if (!herder.info(name)) throw new NotFoundError(`Connector ${name} not found`);
    return name;
  };

  /**
   * NDJSON, one TopicRecordView a line (blank lines keep a quiet stream open), until `limit`
   * records were sent or the client goes away. A reader too slow to keep up gets a last line
   * `{"error_code": 503, "message": …}` and the end of the stream.
   */
  app.get('/connectors/:name/records', async (c) => {
    const name = found(c);
    const from: RecordsFrom = query(FromSchema, c.req.query('from'));
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? Infinity : query(limitSchema(1_000_000_000), limitText);
    const feed = new RecordFeed(limit);
    // Started before the answer, so a missing topic or an unreachable Kafka is a status code.
    const follow = await herder.followRecords(name, from, feed.push);
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    c.header('cache-control', 'no-store');
    return stream(c, async (out) => {
      out.onAbort(feed.notify);
      c.req.raw.signal.addEventListener('abort', () => out.abort());
      try {
        while (!out.aborted) {
          if (feed.overflowed) {
            await out.write(`${JSON.stringify({ error_code: 503, message: `the reader fell more than ${MAX_WAITING_RECORDS} records behind` })}\n`);
            break;
          }
          const chunk = feed.take();
          if (chunk) await out.write(chunk);
          if (feed.complete) break;
          if (chunk) continue;
          if (!(await feed.waitFor(KEEPALIVE_MS)) && !out.aborted) await out.write('\n');
        }
      } finally {
        await follow.stop();
      }
    });
  });

  /** The newest dead letters of a sink connector (default 100), with their `__connect.errors.*` headers. */
  app.get('/connectors/:name/dlq', async (c) => {
    const name = found(c);
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : query(limitSchema(MAX_DEAD_LETTERS), limitText);
    return c.json(await herder.deadLetters(name, limit));
  });

  return app;
}
