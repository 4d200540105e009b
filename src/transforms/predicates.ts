// Connect's predicates: conditions under which a transform applies (`transforms.x.predicate`).
import * as v from 'valibot';
import { javaRegexSetting } from './java-regex.ts';
import { requiredString } from './settings.ts';
import type { PredicatePlugin } from './types.ts';

const PREDICATES_PACKAGE = 'org.apache.kafka.connect.transforms.predicates';

/** The record's topic matches `pattern` (a Java regex, matched against the whole topic name). */
export const TopicNameMatches: PredicatePlugin<{ pattern: RegExp }> = {
  name: 'TopicNameMatches',
  classNames: [`${PREDICATES_PACKAGE}.TopicNameMatches`],
  options: v.object({ pattern: javaRegexSetting }),
  create: ({ pattern }) => ({ test: (record) => pattern.test(record.topic) }),
};

/** The record's value is null: a Kafka tombstone. */
export const RecordIsTombstone: PredicatePlugin<object> = {
  name: 'RecordIsTombstone',
  classNames: [`${PREDICATES_PACKAGE}.RecordIsTombstone`],
  options: v.object({}),
  create: () => ({ test: (record) => record.value === null }),
};

/** The record has a header named `name`, whatever its value. */
export const HasHeaderKey: PredicatePlugin<{ name: string }> = {
  name: 'HasHeaderKey',
  classNames: [`${PREDICATES_PACKAGE}.HasHeaderKey`],
  options: v.object({ name: requiredString }),
  create: ({ name }) => ({ test: (record) => Object.hasOwn(record.headers, name) }),
};

export const PREDICATE_PLUGINS: readonly PredicatePlugin[] = [TopicNameMatches, RecordIsTombstone, HasHeaderKey];
