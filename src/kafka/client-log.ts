import type { LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { repeatLimiter, type Log } from '../log/index.ts';

/** librdkafka's log event, as both backends emit it ('event.log'). */
export interface LibrdkafkaLogEvent {
  /** A syslog level: 0 emergency … 7 debug. */
  severity: number;
  /** librdkafka's facility, e.g. FAIL, BROKERFAIL, REQTMOUT. */
  fac: string;
  message: string;
  /** The client's name (client.id and type). */
  name?: string;
}

/** The events a client reports on its own (both backends emit them the same way). */
export interface ClientEventSource {
  on(event: 'event.log', listener: (entry: LibrdkafkaLogEvent) => void): unknown;
  on(event: 'event.error', listener: (error: LibrdKafkaError) => void): unknown;
}

/** librdkafka's syslog levels onto the Log's: 0-3 error, 4 warning, 5-6 info, 7 debug. */
export function logLevel(severity: number): 'error' | 'warn' | 'info' | 'debug' {
  if (severity <= 3) return 'error';
  if (severity === 4) return 'warn';
  if (severity <= 6) return 'info';
  return 'debug';
}

/**
 * How long repeats of one error (one code, or one log facility) are only counted after the first
 * was logged. During an outage librdkafka reports every refused connect: without a bound that was
 * 1,300-1,700 warnings per outage per worker.
 */
export const REPEAT_INTERVAL_MS = 10_000;

/**
 * Sends a client's librdkafka log and error events to `log`. Every client the backends create
 * goes through here, so nothing librdkafka says is printed past the worker's logger (or lost).
 * Error events are mostly transient (a broker down, a refused connection) and librdkafka retries
 * them itself, so they are warnings unless fatal.
 */
export function routeClientEvents<C extends ClientEventSource>(client: C, log: Log): C {
  const handlers = clientEventHandlers(log);
  client.on('event.log', handlers['event.log']);
  client.on('event.error', handlers['event.error']);
  return client;
}

/**
 * The listeners routeClientEvents adds, for a factory that takes them (the addon's AdminClient.create).
 * Repeated errors and warnings (same code, or same facility) are rate-limited per client: the first
 * is logged, then once per `repeatIntervalMs` a line with how many followed and the latest one.
 * Fatal errors are always logged.
 */
export function clientEventHandlers(log: Log, repeatIntervalMs = REPEAT_INTERVAL_MS) {
  const repeats = repeatLimiter(repeatIntervalMs);
  return {
    'event.log': (entry: LibrdkafkaLogEvent) => {
      const level = logLevel(entry.severity);
      const fields = { librdkafka: entry.fac, client: entry.name };
      if (level !== 'error' && level !== 'warn') return log[level](fields, entry.message);
      repeats(`log:${entry.fac}`, (count) => log[level](count === 0 ? fields : { ...fields, repeats: count }, repeated(entry.message, count, repeatIntervalMs)));
    },
    'event.error': (error: LibrdKafkaError) => {
      const fields = { code: error.code, fatal: error.isFatal === true };
      const message = `kafka client error: ${error.message}`;
      if (error.isFatal) return log.error(fields, message);
      repeats(`error:${error.code}`, (count) => log.warn(count === 0 ? fields : { ...fields, repeats: count }, repeated(message, count, repeatIntervalMs)));
    },
  };
}

const repeated = (message: string, count: number, intervalMs: number) =>
  count === 0 ? message : `${message} (and ${count} more like it in the last ${intervalMs / 1000} s)`;
