import * as v from 'valibot';
import type { TargetState } from '../http/index.ts';
import type { TaskState } from './worker-sink-task.ts';
import type { Log } from '../log/index.ts';

// The records Inlet reads back from its own topics (config, status, offsets). Another worker, an
// older version or an operator's tool may have written them: each is parsed, never cast.

/** Every member of the union `T`, checked both ways: none missing, none unknown. */
const every =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)) =>
    list;

const TargetStateSchema = v.picklist(every<TargetState>()(['STARTED', 'PAUSED', 'STOPPED']));
const Properties = v.record(v.string(), v.unknown());

export const RestartRequestSchema = v.object({
  id: v.string(),
  includeTasks: v.boolean(),
  onlyFailed: v.boolean(),
  /** Restart only this task. */
  task: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type RestartRequest = v.InferOutput<typeof RestartRequestSchema>;

/** A config-topic value: a connector's config, its target state, a restart request, or a create request. */
export const ConfigRecordSchema = v.union([
  v.object({ properties: Properties }),
  v.object({ state: TargetStateSchema }),
  v.object({ restart: RestartRequestSchema }),
  /** Takes effect only where the log has no connector of that name yet. */
  v.object({ create: v.object({ properties: Properties, state: TargetStateSchema }) }),
]);
export type ConfigRecord = v.InferOutput<typeof ConfigRecordSchema>;

/** A status-topic value: one task's state as the worker running it reports it. */
export const TaskStatusRecordSchema = v.object({
  state: v.picklist(every<TaskState>()(['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'RETRYING', 'FAILED'])),
  worker_id: v.string(),
  trace: v.optional(v.string()),
});
export type TaskStatusRecord = v.InferOutput<typeof TaskStatusRecordSchema>;

/** An offsets-topic value: how far a source partition got. */
export const SourceOffsetRecordSchema = v.object({ offset: v.string() });
export type SourceOffsetRecord = v.InferOutput<typeof SourceOffsetRecordSchema>;

/** An offsets-topic key, Kafka Connect's `["<connector>", {"partition": …}]`. */
export const SourceOffsetKeySchema = v.tuple([v.string(), v.object({ partition: v.string() })]);

/** Parses JSON text by `schema`; undefined (and why) when it is not JSON or not of that shape. */
export function parseJson<V>(schema: v.GenericSchema<unknown, V>, text: string): { ok: true; value: V } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  const parsed = v.safeParse(schema, json);
  if (parsed.success) return { ok: true, value: parsed.output };
  const issue = parsed.issues[0];
  const path = v.getDotPath(issue);
  return { ok: false, reason: path ? `${path}: ${issue.message}` : issue.message };
}

const utf8 = new TextDecoder();

/**
 * One record of an Inlet topic as a key and a parsed value (undefined: a tombstone). A malformed
 * record is logged and skipped (undefined): it must not stop the worker, which would then fail
 * on every start while compaction keeps the record.
 */
export function readStoredRecord<V>(
  topic: string,
  schema: v.GenericSchema<unknown, V>,
  record: { key: Uint8Array | null; value: Uint8Array | null; partition: number; offset: number },
  log: Log,
): { key: string; value: V | undefined } | undefined {
  if (!record.key) return undefined;
  const key = utf8.decode(record.key);
  if (record.value === null) return { key, value: undefined };
  const parsed = parseJson(schema, utf8.decode(record.value));
  if (parsed.ok) return { key, value: parsed.value };
  log.warn(`${topic}: skipping the malformed record ${JSON.stringify(key)} at ${record.partition}@${record.offset}: ${parsed.reason}`);
  return undefined;
}
