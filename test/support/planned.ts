import { expect } from 'bun:test';
import { ErrantRecordError } from '../../src/records/index.ts';
import { toChanges } from '../../src/sink/records.ts';

/** toChanges' table changes, for records that must all be applicable: the test fails on any errant one. */
export function changesOf(...args: Parameters<typeof toChanges>): ReturnType<typeof toChanges>['changes'] {
  const planned = toChanges(...args);
  expect(planned.errant.map((e) => e.reason)).toEqual([]);
  return planned.changes;
}

/**
 * The one record toChanges refuses, as the ErrantRecordError the sink reports it with (planBatch
 * names the record's place before the reason); the test fails unless exactly one is refused.
 */
export function errantOf(...args: Parameters<typeof toChanges>): ErrantRecordError {
  const { errant } = toChanges(...args);
  expect(errant).toHaveLength(1);
  return new ErrantRecordError(errant[0]!.record, errant[0]!.reason);
}
