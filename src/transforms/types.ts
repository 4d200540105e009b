import type * as v from 'valibot';
import { isObject, isSchemaWrapper, type SinkRecord, type Transformation } from '../records/index.ts';

export type { SinkRecord, Transformation };

export interface Predicate {
  test(record: SinkRecord): boolean;
}

/**
 * A transform or predicate type: the names Connect configs use for it, its options as a valibot
 * schema (over the options with the alias prefix taken off), and how to make one from parsed options.
 */
export interface Plugin<TOptions, TInstance> {
  /** Short name, as in `transforms.x.type=RegexRouter`. */
  name: string;
  /** Full class names, as Kafka Connect and Debezium configs spell them. */
  classNames: readonly string[];
  options: v.GenericSchema<unknown, TOptions>;
  create(options: TOptions): TInstance;
}

export type TransformPlugin<TOptions = any> = Plugin<TOptions, Transformation>;
export type PredicatePlugin<TOptions = any> = Plugin<TOptions, Predicate>;

/** A record a transform cannot handle; the chain turns it into an ErrantRecordError. */
export class TransformError extends Error {
  override name = 'TransformError';
}

/** Whether a `$Key` or `$Value` variant: which part of the record it works on. */
export type Operand = 'key' | 'value';

/**
 * Kafka Connect's JsonConverter with schemas wraps a key or value as `{schema, payload}`. Inlet
 * carries no schemas past a transform that changes fields, so such transforms work on the payload
 * and return it bare.
 */
export function withoutSchemaWrapper(value: unknown): unknown {
  return isSchemaWrapper(value) ? value.payload : value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The JSON object a field transform works on, or a TransformError naming what was found instead. */
export function requireObject(value: unknown, operand: Operand, purpose: string): Record<string, unknown> {
  const unwrapped = withoutSchemaWrapper(value);
  if (!isObject(unwrapped)) throw new TransformError(`${purpose} needs the record ${operand} to be a JSON object, found ${describe(unwrapped)}`);
  return unwrapped;
}

export function withOperand(record: SinkRecord, operand: Operand, next: unknown): SinkRecord {
  return operand === 'key' ? { ...record, key: next } : { ...record, value: next };
}
