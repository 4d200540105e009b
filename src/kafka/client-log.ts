import type { LibrdKafkaError } from '@confluentinc/kafka-javascript';
import type { Log } from '../log/index.ts';

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

/** The listeners routeClientEvents adds, for a factory that takes them (the addon's AdminClient.create). */
export function clientEventHandlers(log: Log) {
  return {
    'event.log': (entry: LibrdkafkaLogEvent) => log[logLevel(entry.severity)]({ librdkafka: entry.fac, client: entry.name }, entry.message),
    'event.error': (error: LibrdKafkaError) =>
      log[error.isFatal ? 'error' : 'warn']({ code: error.code, fatal: error.isFatal === true }, `kafka client error: ${error.message}`),
  };
}
