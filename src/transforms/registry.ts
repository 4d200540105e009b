// Every transform and predicate type Inlet knows, found by short name or Connect class name.
import { ExtractNewRecordState } from './extract-new-record-state.ts';
import { Filter } from './filter.ts';
import { InsertFieldKey, InsertFieldValue } from './insert-field.ts';
import { PREDICATE_PLUGINS } from './predicates.ts';
import { RegexRouter } from './regex-router.ts';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.ts';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.ts';
import type { Plugin, PredicatePlugin, TransformPlugin } from './types.ts';

export const TRANSFORM_PLUGINS: readonly TransformPlugin[] = [
  ExtractNewRecordState,
  ReplaceFieldValue,
  ReplaceFieldKey,
  InsertFieldValue,
  InsertFieldKey,
  TimestampConverterValue,
  TimestampConverterKey,
  RegexRouter,
  Filter,
];

/** The names without `$Value` (ReplaceField, InsertField, TimestampConverter) mean the value variant. */
const VALUE_DEFAULTS: Record<string, TransformPlugin> = {
  ReplaceField: ReplaceFieldValue,
  InsertField: InsertFieldValue,
  TimestampConverter: TimestampConverterValue,
};

function byName<T extends Plugin<any, any>>(plugins: readonly T[]): Map<string, T> {
  return new Map(plugins.flatMap((plugin) => [[plugin.name, plugin] as const, ...plugin.classNames.map((name) => [name, plugin] as const)]));
}

const transforms = byName(TRANSFORM_PLUGINS);
const predicates = byName(PREDICATE_PLUGINS);

export function findTransformPlugin(type: string): TransformPlugin | undefined {
  return transforms.get(type) ?? VALUE_DEFAULTS[type];
}

export function findPredicatePlugin(type: string): PredicatePlugin | undefined {
  return predicates.get(type);
}
