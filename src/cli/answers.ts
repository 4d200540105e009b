// The REST API's answers the CLI reads, parsed at the boundary as everywhere else.
import * as v from 'valibot';
import { CliExit, EXIT } from './exit-codes.ts';

const TaskStatus = v.object({ id: v.number(), state: v.string(), worker_id: v.string(), trace: v.optional(v.string()) });

export const ConnectorStatus = v.object({
  name: v.string(),
  connector: v.object({ state: v.string(), worker_id: v.string(), trace: v.optional(v.string()) }),
  tasks: v.array(TaskStatus),
  type: v.string(),
});
export type ConnectorStatus = v.InferOutput<typeof ConnectorStatus>;

export const ConnectorInfo = v.object({
  name: v.string(),
  config: v.record(v.string(), v.string()),
  tasks: v.array(v.object({ connector: v.string(), task: v.number() })),
  type: v.string(),
});

/** GET /connectors?expand=info&expand=status */
export const ExpandedConnectors = v.record(v.string(), v.object({ info: v.optional(ConnectorInfo), status: v.optional(ConnectorStatus) }));

export const Offsets = v.object({
  offsets: v.array(v.object({ partition: v.record(v.string(), v.unknown()), offset: v.nullable(v.record(v.string(), v.unknown())) })),
});

/** One line of GET /connectors/{name}/records, and one entry of GET /connectors/{name}/dlq. */
export const TopicRecord = v.object({
  topic: v.string(),
  partition: v.number(),
  offset: v.number(),
  timestamp: v.nullable(v.number()),
  encoding: v.picklist(['utf8', 'base64']),
  key: v.nullable(v.string()),
  value: v.nullable(v.string()),
  headers: v.record(v.string(), v.string()),
  source_partition: v.optional(v.string()),
  source_offset: v.optional(v.string()),
  trace_id: v.optional(v.string()),
});
export type TopicRecord = v.InferOutput<typeof TopicRecord>;

/** A records stream's last line when the worker ends it early. */
export const StreamError = v.object({ error_code: v.number(), message: v.string() });

export const ReplayResult = v.object({
  replayed: v.number(),
  blocked: v.nullable(v.object({ partition: v.number(), offset: v.number(), error: v.string() })),
  more: v.boolean(),
});

export const ValidateResult = v.object({
  name: v.string(),
  error_count: v.number(),
  configs: v.array(v.object({ value: v.object({ name: v.string(), value: v.unknown(), errors: v.array(v.string()) }) })),
});

/** An answer in the shape asked for, or exit 1 naming what did not fit (a worker of another version, a proxy's page). */
export function expectAnswer<T>(schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const parsed = v.safeParse(schema, value);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  throw new CliExit(EXIT.refused, `unexpected answer to ${what}${path ? ` at ${path}` : ''}: ${issue.message}`);
}
