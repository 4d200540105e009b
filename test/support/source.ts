import type { SourceRecord, ToRecordsResult, VerifyResult } from '../../src/source/types.ts';

/** The failed check's name, or null when the push verified. */
export async function check(result: Promise<VerifyResult>): Promise<string | null> {
  const verdict = await result;
  return verdict.ok ? null : verdict.check;
}

/** The records of a conversion that must succeed; its issues otherwise fail the test. */
export function recordsOf(result: ToRecordsResult): SourceRecord[] {
  if (!result.ok) throw new Error(`expected records, got issues ${JSON.stringify(result.issues)}`);
  return result.records;
}
