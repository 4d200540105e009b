import * as v from 'valibot';
import { formatIssues, toFieldIssues } from './issues.ts';
import { LOG_LEVELS } from '../log/index.ts';
import { databaseUrl } from './settings.ts';

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const digits = v.pipe(v.string(), v.regex(/^\d+$/, 'must be an integer'));

const port = (fallback: string) =>
  v.pipe(
    v.optional(digits, fallback),
    v.transform(Number),
    v.integer('must be an integer'),
    v.minValue(0),
    v.maxValue(65535),
  );

const positiveInt = (fallback: string) =>
  v.pipe(v.optional(digits, fallback), v.transform(Number), v.integer('must be an integer'), v.minValue(1));

/** Worker settings read from the environment; every key has a default fit for a laptop. */
export const WorkerEnvSchema = v.object({
  INLET_PORT: port('8083'),
  INLET_HOST: v.optional(v.string(), '127.0.0.1'),
  KAFKA_BROKERS: v.optional(v.pipe(v.string(), v.minLength(1)), '127.0.0.1:9092'),
  INLET_DB_URL: v.optional(databaseUrl, 'sqlite:data/inlet.db'),
  INLET_CONFIG: v.optional(v.string()),
  /** Default request body limit; a connector may set its own `max.body.bytes`. */
  INLET_MAX_BODY_BYTES: positiveInt(String(5 * 1024 * 1024)),
  /**
   * Request body bytes being read at once over all connections (a declared Content-Length counts
   * whole before reading); past it, ingest answers 429 without reading the body.
   */
  INLET_MAX_READING_BYTES: positiveInt(String(64 * 1024 * 1024)),
  /** How long a record may wait for Kafka's acknowledgement before the request fails with 503. */
  INLET_DELIVERY_TIMEOUT_MS: positiveInt('8000'),
  /** librdkafka's local queue bound; when full, ingest answers 503 instead of buffering without limit. */
  INLET_PRODUCER_QUEUE_MAX_MESSAGES: positiveInt('200000'),
  /**
   * librdkafka `linger.ms`, the wait for a batch to fill. Every push waits it out, so it caps what
   * few connections get; under load batches fill while earlier ones are in flight, and a shorter
   * wait only sends more, smaller requests (bench: 0.5 ms vs 1 ms, +20-30% pushes/s at 16
   * connections, -0-9% at 64; 0 ms: +60% at 16, -15-20% at 64).
   */
  INLET_PRODUCER_LINGER_MS: v.pipe(
    v.optional(v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, 'must be a number of milliseconds')), '0.5'),
    v.transform(Number),
    v.maxValue(900_000),
  ),
  /** Records and bytes being written to Kafka at once; past either, ingest answers 429. */
  INLET_MAX_INFLIGHT_RECORDS: positiveInt('100000'),
  INLET_MAX_INFLIGHT_BYTES: positiveInt(String(64 * 1024 * 1024)),
  /** Most dead letters `POST /connectors/:name/dlq/replay` reads into memory at once. */
  INLET_DLQ_REPLAY_BATCH_RECORDS: positiveInt('500'),
  /** A request must arrive whole within this long, its headers sooner: slow clients cannot hold the worker. */
  INLET_REQUEST_TIMEOUT_MS: positiveInt('30000'),
  INLET_HEADERS_TIMEOUT_MS: positiveInt('10000'),
  /** Workers with the same group form one cluster; it names the cluster's topics (`<group>-configs`, …). */
  INLET_GROUP_ID: v.optional(v.pipe(v.string(), v.regex(/^[a-zA-Z0-9._-]{1,200}$/, 'may hold only letters, digits, ".", "_" and "-"')), 'inlet'),
  /** When set, the REST API requires `Authorization: Bearer <token>` (ingest keeps its own auth). */
  INLET_API_TOKEN: v.optional(
    v.pipe(
      v.string(),
      v.minLength(16, 'must be at least 16 characters'),
      // What a Bearer header can carry (RFC 6750's b64token): any other token could never match.
      v.regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may hold only letters, digits and -._~+/ (then = padding)'),
    ),
  ),
  /**
   * `bearer`: the REST API wants INLET_API_TOKEN, which may be left unset only on a loopback
   * INLET_HOST. `none`: no authentication on any address, chosen on purpose.
   */
  INLET_API_AUTH: v.optional(v.picklist(['bearer', 'none'], 'must be "bearer" or "none"'), 'bearer'),
  /**
   * `${env:NAME}` in a config sent through the REST API reads only variables whose whole name
   * matches this regex (Kafka Connect's EnvVarConfigProvider `allowlist.pattern`); unset, none.
   * The connectors file (the operator's) reads any.
   */
  INLET_CONFIG_ENV_ALLOWLIST: v.optional(v.pipe(v.string(), v.check(isRegex, 'must be a valid regular expression'))),
  /** SQLite files a config sent through the REST API names must lie in this folder (INLET_DB_URL need not). */
  INLET_DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), 'data'),
  /** A dead worker's sink partitions move to the others after this long without heartbeats. */
  INLET_CONSUMER_SESSION_TIMEOUT_MS: positiveInt('10000'),
  /**
   * A sink task that takes no records for this long leaves its group (librdkafka's
   * max.poll.interval.ms). A task waiting on its database keeps taking none only until its
   * partitions are paused, a second later, so this bounds a stuck loop, not a slow database.
   */
  INLET_CONSUMER_MAX_POLL_INTERVAL_MS: positiveInt('300000'),
  /**
   * "false": this worker takes no sink tasks and only serves ingest and the API; the cluster's
   * other workers run the sinks. On one host, an ingest worker and a sink worker each get a core
   * instead of sharing one JS thread.
   */
  INLET_SINK_TASKS: v.pipe(v.optional(v.picklist(['true', 'false'], 'must be "true" or "false"'), 'true'), v.transform((x) => x === 'true')),
  /** The quietest level the worker logs at (pino's levels; `silent` logs nothing). */
  INLET_LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  /**
   * OpenTelemetry (read by its SDK too, with the other OTEL_* variables): set, the worker exports
   * its spans over OTLP/HTTP to `<endpoint>/v1/traces` (or to the traces endpoint as given); unset,
   * it records none. `OTEL_SDK_DISABLED=true` turns the export off either way.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: v.optional(v.pipe(v.string(), v.url('must be a URL, such as http://collector:4318'))),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: v.optional(v.pipe(v.string(), v.url('must be a URL, such as http://collector:4318/v1/traces'))),
  // As the OpenTelemetry spec reads it: "true" in any case is true, anything else false.
  OTEL_SDK_DISABLED: v.pipe(v.optional(v.string(), 'false'), v.transform((x) => x.toLowerCase() === 'true')),
  /** Where the sink stores' SQL migrations are; found beside the sources or the bundle when unset. */
  INLET_MIGRATIONS_DIR: v.optional(v.pipe(v.string(), v.minLength(1))),
  /**
   * Fault injection for the exactly-once tests. "1": SIGKILL once an exactly-once source
   * transaction's records are acknowledged, before its commit.
   */
  INLET_FAULT_CRASH_BEFORE_SOURCE_COMMIT: v.pipe(v.optional(v.picklist(['0', '1'], 'must be "0" or "1"'), '0'), v.transform((x) => x === '1')),
  /** Fault injection: SIGKILL after this many sink database commits, before Kafka hears of them; 0: never. */
  INLET_FAULT_CRASH_AFTER_DB_COMMITS: v.pipe(v.optional(digits, '0'), v.transform(Number)),
});

export type WorkerEnv = v.InferOutput<typeof WorkerEnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the worker's environment; a bad value fails fast naming the variable. */
export function readWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  const picked = Object.fromEntries(
    Object.keys(WorkerEnvSchema.entries).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = v.safeParse(WorkerEnvSchema, picked);
  if (!result.success) throw new ConfigError(`invalid environment: ${formatIssues(toFieldIssues(result.issues))}`);
  const { INLET_CONSUMER_MAX_POLL_INTERVAL_MS: maxPoll, INLET_CONSUMER_SESSION_TIMEOUT_MS: session } = result.output;
  // librdkafka refuses it too, but only when a sink task starts, long after the worker is up.
  if (maxPoll < session) {
    throw new ConfigError(`invalid environment: INLET_CONSUMER_MAX_POLL_INTERVAL_MS: must be at least INLET_CONSUMER_SESSION_TIMEOUT_MS (${session})`);
  }
  const { INLET_HEADERS_TIMEOUT_MS: headers, INLET_REQUEST_TIMEOUT_MS: request } = result.output;
  // Unset, the headers deadline is its default or the request's, whichever is sooner: a request
  // deadline under 10 s alone is a fine setting. Set past the request's, node:http throws a
  // RangeError of its own at start, and Bun and Deno would take it silently.
  if (picked['INLET_HEADERS_TIMEOUT_MS'] === undefined) result.output.INLET_HEADERS_TIMEOUT_MS = Math.min(headers, request);
  else if (headers > request) {
    throw new ConfigError(`invalid environment: INLET_HEADERS_TIMEOUT_MS: must be at most INLET_REQUEST_TIMEOUT_MS (${request})`);
  }
  checkApiAuth(result.output);
  return result.output;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** A REST API that anyone on the network can reach must not be open by accident. */
function checkApiAuth({ INLET_HOST: host, INLET_API_TOKEN: token, INLET_API_AUTH: auth }: WorkerEnv): void {
  if (auth === 'none' && token !== undefined) {
    throw new ConfigError('invalid environment: INLET_API_AUTH: is "none" but INLET_API_TOKEN is set; unset one of them');
  }
  if (auth === 'bearer' && token === undefined && !isLoopback(host)) {
    throw new ConfigError(
      `invalid environment: INLET_API_TOKEN: is required when INLET_HOST (${host}) is not a loopback address, ` +
        'so that the REST API is not open to the network; set it (16+ characters), or INLET_API_AUTH=none to serve the REST API without authentication on purpose',
    );
  }
}
