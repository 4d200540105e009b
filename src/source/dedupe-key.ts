// Every source offset a sender chooses (Idempotency-Key, event id, delivery id, a CDC row's key) is
// held in the dedupe window for days, up to `dedupe.max.entries` of them: unbounded keys would let
// a sender fill the worker's memory with a few large pushes.
import * as v from 'valibot';
import type { RecordIssue } from './types.ts';

/** The longest dedupe key a push may carry, in UTF-8 bytes. */
export const MAX_DEDUPE_KEY_BYTES = 256;

export const DEDUPE_KEY_TOO_LONG = `must be at most ${MAX_DEDUPE_KEY_BYTES} bytes (it is a dedupe key)`;

const encoder = new TextEncoder();

export function dedupeKeyTooLong(key: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short keys need no encoding.
  return key.length * 3 > MAX_DEDUPE_KEY_BYTES && encoder.encode(key).byteLength > MAX_DEDUPE_KEY_BYTES;
}

/** valibot action for a record field that is a dedupe key. */
export const dedupeKeyField = v.maxBytes<string, typeof MAX_DEDUPE_KEY_BYTES, string>(MAX_DEDUPE_KEY_BYTES, DEDUPE_KEY_TOO_LONG);

/** The issue for a dedupe key sent as a header; null when `value` is short enough (or absent). */
export function dedupeHeaderIssue(header: string, value: string | null): RecordIssue | null {
  return value !== null && dedupeKeyTooLong(value) ? { index: 0, path: '', header, message: DEDUPE_KEY_TOO_LONG } : null;
}
