// Connect's Filter: drops every record it is applied to. With a predicate it drops the records the
// predicate matches; with `negate=true`, those it does not (keeping only the matching ones).
import * as v from 'valibot';
import type { TransformPlugin } from './types.ts';

export const Filter: TransformPlugin<object> = {
  name: 'Filter',
  classNames: ['org.apache.kafka.connect.transforms.Filter'],
  options: v.object({}),
  create: () => ({ apply: () => null }),
};
