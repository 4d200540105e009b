// JSON that keeps every number exact. JSON.parse reads numbers as doubles, so an integer past 2^53
// (a bigint id, a snowflake, Debezium's int64) or a decimal with more digits than a double holds
// comes out rounded: 9007199254740993 becomes 9007199254740992. Here such an integer is a bigint
// and such a decimal a JsonDecimal (its text), and every other number stays a plain number.
import { isInteger, isLosslessNumber, isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/** A JSON number no double holds exactly, kept as its text (`String(decimal)` gives it back). */
export type JsonDecimal = LosslessNumber;

export type JsonValue = null | boolean | number | bigint | string | JsonDecimal | JsonValue[] | { [key: string]: JsonValue };

export function isJsonDecimal(value: unknown): value is JsonDecimal {
  return isLosslessNumber(value);
}

// A double holds every number of up to 15 significant digits; only a number token with a run of 16
// digits (and dots) or a three-digit exponent can be one JSON.parse would change. A number token
// starts the text or follows `:`, `[` or `,` (and whitespace), so a digit run inside a string (a
// Shopify `gid://shopify/Order/820982911946154508`, a Twitter `id_str`, a phone number) does not
// send the body down the slow path. Anything else, almost every body, takes the native parser.
const MAY_ROUND = /(?:^|[:[,])\s*-?(?:[\d.]{16}|[\d.]+[eE][+-]?\d{3})/;

/** Whether `text` may hold a number JSON.parse would round (false positives only cost speed). */
export function mayRound(text: string): boolean {
  return MAY_ROUND.test(text);
}

function exactNumber(text: string): number | bigint | JsonDecimal {
  if (isSafeNumber(text)) return Number(text);
  if (isInteger(text)) return BigInt(text);
  return new LosslessNumber(text);
}

/** JSON.parse, keeping the numbers a double would round; throws JSON.parse's SyntaxError. */
export function parseJson(text: string): JsonValue {
  if (!mayRound(text)) return JSON.parse(text) as JsonValue;
  try {
    return parse(text, null, exactNumber) as JsonValue;
  } catch (error) {
    // Invalid JSON fails with JSON.parse's message, as on the fast path. Text JSON.parse takes but
    // the exact parser does not (a key repeated with another value) reads as JSON.parse reads it.
    return JSON.parse(text) as JsonValue;
  }
}

/** Whether `value` holds a bigint or a JsonDecimal anywhere (what JSON.stringify cannot write). */
export function hasExactNumbers(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (isLosslessNumber(value)) return true;
  if (Array.isArray(value)) return value.some(hasExactNumbers);
  for (const key in value) if (hasExactNumbers((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** JSON.stringify that writes bigints and JsonDecimals as the numbers they are. */
export function stringifyJson(value: unknown): string {
  if (!hasExactNumbers(value)) return JSON.stringify(value);
  return stringify(value) ?? 'null';
}
