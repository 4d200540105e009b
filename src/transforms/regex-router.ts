// Connect's RegexRouter: a topic that the regex matches in whole is renamed to the replacement.
import * as v from 'valibot';
import { expandReplacement, javaRegexSetting, parseJavaReplacement, type ReplacementPart } from './java-regex.ts';
import type { TransformPlugin } from './types.ts';

const RegexRouterOptions = v.pipe(
  v.object({
    regex: javaRegexSetting,
    replacement: v.string('is required'),
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const { regex, replacement } = dataset.value;
    try {
      return { regex, replacement: parseJavaReplacement(replacement, regex) };
    } catch (error) {
      addIssue({
        message: `is not a valid replacement for the regex (${(error as Error).message})`,
        path: [{ type: 'object', origin: 'value', input: dataset.value, key: 'replacement', value: replacement }],
      });
      return NEVER;
    }
  }),
);

export const RegexRouter: TransformPlugin<{ regex: RegExp; replacement: ReplacementPart[] }> = {
  name: 'RegexRouter',
  classNames: ['org.apache.kafka.connect.transforms.RegexRouter'],
  options: RegexRouterOptions,
  create: ({ regex, replacement }) => ({
    apply(record) {
      const match = regex.exec(record.topic);
      return match ? { ...record, topic: expandReplacement(replacement, match) } : record;
    },
  }),
};
