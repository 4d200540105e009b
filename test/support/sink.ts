import { expect } from 'bun:test';
import { ErrantRecordError } from '../../src/sink/sink-record.ts';

/** The ErrantRecordError `run` throws; the test fails if it throws anything else or nothing. */
export function errant(run: () => unknown): ErrantRecordError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ErrantRecordError);
    return error as ErrantRecordError;
  }
  throw new Error('expected an ErrantRecordError, nothing was thrown');
}
