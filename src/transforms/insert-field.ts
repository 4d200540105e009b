// Connect's InsertField$Value / $Key: adds the record's topic, partition, offset or timestamp, or
// a static string, as fields. A name may end in `!` (required) or `?` (optional) as in Connect;
// without schemas both mean the same, so the suffix is dropped.
import * as v from 'valibot';
import { optionalString } from './settings.ts';
import { requireObject, withOperand, type Operand, type TransformPlugin } from './types.ts';

const fieldName = v.pipe(
  optionalString,
  v.transform((name) => name?.replace(/[!?]$/, '') || undefined),
);

const InsertFieldOptions = v.object({
  'topic.field': fieldName,
  'partition.field': fieldName,
  'offset.field': fieldName,
  'timestamp.field': fieldName,
  'static.field': fieldName,
  'static.value': v.pipe(
    v.optional(v.union([v.string(), v.number(), v.boolean()])),
    v.transform((value) => (value === undefined ? undefined : String(value))),
  ),
});

type InsertFieldConfig = v.InferOutput<typeof InsertFieldOptions>;

function insertField(operand: Operand, suffix: string): TransformPlugin<InsertFieldConfig> {
  return {
    name: `InsertField${suffix}`,
    classNames: [`org.apache.kafka.connect.transforms.InsertField${suffix}`],
    options: InsertFieldOptions,
    create: (options) => ({
      apply(record) {
        const current = record[operand];
        // Connect passes tombstones through unchanged.
        if (current === null) return record;
        const inserted: Record<string, unknown> = { ...requireObject(current, operand, 'InsertField') };
        if (options['topic.field']) inserted[options['topic.field']] = record.topic;
        if (options['partition.field']) inserted[options['partition.field']] = record.partition;
        if (options['offset.field']) inserted[options['offset.field']] = record.offset;
        if (options['timestamp.field']) inserted[options['timestamp.field']] = record.timestamp;
        if (options['static.field'] && options['static.value'] !== undefined) inserted[options['static.field']] = options['static.value'];
        return withOperand(record, operand, inserted);
      },
    }),
  };
}

export const InsertFieldValue = insertField('value', '$Value');
export const InsertFieldKey = insertField('key', '$Key');
