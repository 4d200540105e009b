// A connector config as the REST API receives it. GET shows secrets as "[hidden]", so a config read
// back and sent again (PUT, or a PATCH merged into the stored one) carries the placeholder where the
// stored secret must stay: that value keeps the stored one and is never stored itself. The values
// the request does set are what the REST boundary checks (the env allowlist, the data folder).
import type { FieldIssue } from './issues.ts';
import { hasHiddenUrlPassword, HIDDEN, isSecretKey, redactValue, type EnvAccess } from './secrets.ts';

/** A value as the REST API shows it: Connect's config maps hold strings, lists comma-separated. */
export function shownValue(key: string, value: unknown): string | undefined {
  const shown = redactValue(key, value);
  if (shown === undefined || shown === null) return undefined;
  return Array.isArray(shown) ? shown.join(',') : typeof shown === 'string' ? shown : String(shown);
}

export interface RequestedConfig {
  properties: Record<string, unknown>;
  /** Keys whose value the request sets; every other key keeps its stored value. */
  given: Set<string>;
  /** Placeholders with nothing stored behind them, by key. */
  issues: FieldIssue[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function holdsPlaceholder(key: string, value: unknown): boolean {
  const items = Array.isArray(value) ? value : [value];
  return items.some((item) => {
    if (typeof item !== 'string') return false;
    if (isSecretKey(key)) return item.split(',').some((part) => part.trim() === HIDDEN);
    return hasHiddenUrlPassword(item);
  });
}

/**
 * `requested` with every value that is the stored value, or what GET shows of it, replaced by the
 * stored value. A placeholder anywhere else (no stored value, or a URL whose host or user changed
 * around a hidden password) is an issue: it would either store "[hidden]" as a secret or hand the
 * stored password to a server the request chose.
 */
export function keepStoredValues(requested: Readonly<Record<string, unknown>>, stored: Readonly<Record<string, unknown>> = {}): RequestedConfig {
  const properties: Record<string, unknown> = {};
  const given = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(requested)) {
    const before = stored[key];
    if (before !== undefined && (same(value, before) || (typeof value === 'string' && value === shownValue(key, before)))) {
      properties[key] = before;
      continue;
    }
    if (holdsPlaceholder(key, value)) {
      issues.push({
        path: key,
        message:
          before === undefined
            ? `holds the redaction placeholder ${HIDDEN} and there is no stored value to keep: give the value itself`
            : `holds the redaction placeholder ${HIDDEN} but is not the stored value as GET shows it: give the value itself`,
      });
      continue;
    }
    properties[key] = value;
    given.add(key);
  }
  return { properties, given, issues };
}

/** Builds the variable check for a `pattern` (a regex the whole name must match); none allows nothing. */
export function envAllowlist(pattern: string | undefined): (variable: string) => boolean {
  if (pattern === undefined) return () => false;
  const whole = new RegExp(`^(?:${pattern})$`);
  return (variable) => whole.test(variable);
}

/**
 * Variables the REST API's config may read: values the request sets only allowlisted ones; a value
 * it keeps (an operator's `${env:…}` in the stored config) any, as before the request.
 */
export function restEnvAccess(given: ReadonlySet<string>, allowlisted: (variable: string) => boolean): EnvAccess {
  return (variable, key) => !given.has(key) || allowlisted(variable);
}
