import { expect } from 'bun:test';
import { ErrantRecordError } from '../../src/records/index.ts';

/** The error of class `type` that `run` throws; the test fails if it throws anything else or nothing. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** The ErrantRecordError `run` throws. */
export const errant = (run: () => unknown): ErrantRecordError => thrown(ErrantRecordError, run);
