// Option schemas shared by several transform types. Connect configs are string maps; JSON config
// files may also carry numbers, booleans and arrays, which are accepted where they make sense.
import * as v from 'valibot';

export { anyListSetting, boolSetting } from '../config/index.ts';

/** A required option: present and not empty. */
export const requiredString = v.pipe(
  v.union([v.string(), v.number()], 'is required'),
  v.transform(String),
  v.minLength(1, 'is required'),
);

/** An optional string; empty means unset, as a Connect default of "" does. */
export const optionalString = v.pipe(
  v.optional(v.union([v.string(), v.number(), v.boolean()]), ''),
  v.transform((value) => String(value).trim()),
  v.transform((value) => (value === '' ? undefined : value)),
);

/** An enumerated option, compared as Connect's validators do: trimmed, ignoring case. Required without a fallback. */
export function choice<const TOptions extends readonly string[]>(options: TOptions): ReturnType<typeof choiceOf<TOptions>>;
export function choice<const TOptions extends readonly string[]>(
  options: TOptions,
  fallback: TOptions[number],
): v.OptionalSchema<ReturnType<typeof choiceOf<TOptions>>, TOptions[number]>;
export function choice<const TOptions extends readonly string[]>(options: TOptions, fallback?: TOptions[number]) {
  return fallback === undefined ? choiceOf(options) : v.optional(choiceOf(options), fallback);
}

function choiceOf<const TOptions extends readonly string[]>(options: TOptions) {
  const byLowerCase = new Map<string, TOptions[number]>(options.map((option) => [option.toLowerCase(), option]));
  return v.pipe(
    v.string('is required'),
    v.rawTransform<string, TOptions[number]>(({ dataset, addIssue, NEVER }) => {
      const option = byLowerCase.get(dataset.value.trim().toLowerCase());
      if (option === undefined) {
        addIssue({ message: `must be one of ${options.join(', ')}` });
        return NEVER;
      }
      return option;
    }),
  );
}
