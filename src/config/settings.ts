// Setting types shared by every connector's schema.
import * as v from 'valibot';
import { hasHiddenUrlPassword, HIDDEN } from './secrets.ts';

// Connect configs are string maps; JSON files also carry numbers and booleans. Both are accepted.
export const intSetting = (min: number) =>
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?\d+$/, 'must be an integer'), v.transform(Number))]),
    v.integer('must be an integer'),
    v.minValue(min),
  );

export const boolSetting = v.union([
  v.boolean(),
  v.pipe(v.picklist(['true', 'false'], 'must be true or false'), v.transform((s) => s === 'true')),
]);

export const anyListSetting = v.pipe(
  v.union([v.array(v.string()), v.string()]),
  v.transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean)),
);
export const listSetting = v.pipe(anyListSetting, v.minLength(1, 'must name at least one'));

export const fieldName = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
export const topicName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9._-]{1,249}$/, 'is not a valid Kafka topic name'));
export const connectorName = v.pipe(
  v.string(),
  v.regex(/^[a-zA-Z0-9._-]{1,200}$/, 'may hold only letters, digits, ".", "_" and "-"'),
);

export const databaseUrl = v.pipe(
  v.string(),
  v.regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://'),
  v.check((url) => !hasHiddenUrlPassword(url), `has the redaction placeholder ${HIDDEN} as its password`),
);
