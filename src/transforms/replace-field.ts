// Connect's ReplaceField$Value / $Key: keep only `include`d fields, drop `exclude`d ones (exclude
// wins), then rename per `renames` (`old:new,…`). Connect's older names `whitelist` and
// `blacklist` are read when the new ones are not set.
import * as v from 'valibot';
import { anyListSetting } from './settings.ts';
import { requireObject, withOperand, type Operand, type TransformPlugin } from './types.ts';

const renamesSetting = v.pipe(
  anyListSetting,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const renames = new Map<string, string>();
    for (const mapping of dataset.value) {
      const parts = mapping.split(':');
      if (parts.length !== 2 || !parts[0]!.trim() || !parts[1]!.trim()) {
        addIssue({ message: `has an invalid rename mapping "${mapping}" (expected old:new)` });
        return NEVER;
      }
      renames.set(parts[0]!.trim(), parts[1]!.trim());
    }
    return renames;
  }),
);

const ReplaceFieldOptions = v.pipe(
  v.object({
    include: v.optional(anyListSetting),
    exclude: v.optional(anyListSetting),
    whitelist: v.optional(anyListSetting),
    blacklist: v.optional(anyListSetting),
    renames: v.optional(renamesSetting, ''),
  }),
  v.transform((options) => ({
    include: new Set(options.include ?? options.whitelist ?? []),
    exclude: new Set(options.exclude ?? options.blacklist ?? []),
    renames: options.renames,
  })),
);

type ReplaceFieldConfig = v.InferOutput<typeof ReplaceFieldOptions>;

function replaceField(operand: Operand, suffix: string): TransformPlugin<ReplaceFieldConfig> {
  return {
    name: `ReplaceField${suffix}`,
    classNames: [`org.apache.kafka.connect.transforms.ReplaceField${suffix}`],
    options: ReplaceFieldOptions,
    create: ({ include, exclude, renames }) => ({
      apply(record) {
        const current = record[operand];
        if (current === null) return record;
        const fields = requireObject(current, operand, 'ReplaceField');
        const replaced: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(fields)) {
          if (exclude.has(name) || (include.size > 0 && !include.has(name))) continue;
          replaced[renames.get(name) ?? name] = value;
        }
        return withOperand(record, operand, replaced);
      },
    }),
  };
}

export const ReplaceFieldValue = replaceField('value', '$Value');
export const ReplaceFieldKey = replaceField('key', '$Key');
