import { Hono, type Context } from 'hono';
import { parseBody, type SourceConnector, type SourceRecordSender } from '../source/index.ts';
import { errorBody } from './error-body.ts';
import { readBody, type BodyRefusal } from './read-body.ts';
import { ReadingBudget } from './reading-budget.ts';

// Many bodies are being read: another sender's will likely have finished within a second.
const BUSY_RETRY_AFTER_SECONDS = 1;

export interface IngestDeps {
  /** The source connector serving `name`, and whether it takes pushes now (not PAUSED/STOPPED). */
  source(name: string): { connector: SourceConnector; accepting: boolean } | undefined;
  writer: SourceRecordSender;
  defaultMaxBodyBytes: number;
  /** Request body bytes being read at once over all connections; past it, 429 before reading. */
  maxReadingBytes: number;
  onIngested?: (connector: string, accepted: number, duplicates: number) => void;
}

/** `POST /ingest/:connector`: validate every record, make them durable, then answer 200. */
export function ingestRoutes(deps: IngestDeps) {
  const app = new Hono();
  const reading = new ReadingBudget(deps.maxReadingBytes);

  app.post('/:connector', async (c) => {
    const found = deps.source(c.req.param('connector'));
    if (!found) return errorBody(c, 404, `no source connector named "${c.req.param('connector')}"`);
    if (!found.accepting) {
      // Paused, not gone: the sender keeps the push and retries.
      c.header('Retry-After', '5');
      return errorBody(c, 503, `connector "${found.connector.name}" is not accepting pushes now (paused or stopped)`);
    }
    const source = found.connector;
    const maxSize = source.maxBodyBytes ?? deps.defaultMaxBodyBytes;
    const reservation = reading.open();
    // Released on every path, a sender gone mid-body included: readBody settles when the socket closes.
    const read = await readBody(c.req, maxSize, reservation).finally(reservation.release);
    if (!read.ok) return refuseBody(c, read.refusal, maxSize, source.name);
    const body = read.text;
    if (source.verify) {
      const verdict = await source.verify({ body, headers: c.req.raw.headers, receivedAt: Date.now() });
      if (!verdict.ok) return errorBody(c, 401, `authentication failed: ${verdict.check}`, { check: verdict.check });
    }
    const parsed = parseBody(body, c.req.header('content-type') ?? null);
    if (!parsed.ok) return errorBody(c, 400, parsed.error.message, parsed.error.line ? { line: parsed.error.line } : {});

    const converted = source.toRecords(parsed.items, { headers: c.req.raw.headers, texts: parsed.texts });
    if (!converted.ok) {
      const first = converted.issues[0]!;
      if (first.header) return errorBody(c, 400, `invalid request: header "${first.header}": ${first.message}`, { header: first.header });
      const where = first.path ? `record ${first.index}, field "${first.path}"` : `record ${first.index}`;
      return errorBody(c, 400, `invalid record: ${where}: ${first.message}`, { issues: converted.issues });
    }

    // Kafka unreachable or too much in flight: thrown as the source's errors, answered 503/429 by onError.
    const result = await deps.writer.write(source, converted.records);
    deps.onIngested?.(source.name, result.accepted, result.duplicates);
    // A retried delivery is told so plainly: nothing of it was new.
    const duplicate = result.accepted === 0 && result.duplicates > 0;
    return c.json(duplicate ? { ...result, duplicate } : result, 200);
  });

  return app;
}

function refuseBody(c: Context, refusal: BodyRefusal, maxSize: number, connector: string) {
  switch (refusal) {
    case 'too-large':
      return errorBody(c, 413, `body exceeds the limit of ${maxSize} bytes for "${connector}"`);
    case 'busy':
      c.header('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      // The body stays unread; the connection goes with it rather than be drained.
      c.header('Connection', 'close');
      return errorBody(c, 429, 'too many request bodies are being read at once; retry later');
    case 'not-utf8':
      return errorBody(c, 400, 'body is not valid UTF-8');
    case 'unreadable':
      return errorBody(c, 400, 'body could not be read whole (the connection closed or broke its framing)');
  }
}
