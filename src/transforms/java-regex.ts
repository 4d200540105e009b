// Java regular expressions as Connect configs hold them (RegexRouter, TopicNameMatches), run on
// JavaScript's engine. The common syntax is the same; what differs and is handled here: Java's
// `matches()` is a whole-string match, a leading `(?i)` sets case-insensitivity, and replacement
// strings use `$n`, `${name}` and `\` escapes.
import * as v from 'valibot';

/** A pattern that must match the whole input, as Java's `Matcher.matches()`. */
export function compileJavaRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('x')) throw new SyntaxError('the (?x) comments flag is not supported');
    flags += inline[1]!.replace(/[^ims]/g, '');
    source = source.slice(inline[0].length);
  }
  // Java escapes JavaScript lacks would silently match a plain letter there; refuse them.
  const unsupported = /\\(?:\\|([AZzGQEhHRX]))/g;
  for (const escape of source.matchAll(unsupported)) {
    if (escape[1]) throw new SyntaxError(`\\${escape[1]} is a Java escape JavaScript's engine does not have`);
  }
  // Unicode property classes (\p{L}) need the u flag; without it they would silently match "p{L}".
  if (/\\[pP]\{/.test(source)) flags += 'u';
  return new RegExp(`^(?:${source})$`, flags);
}

/** A regex option: checked at config time, the compiled whole-match RegExp afterwards. */
export const javaRegexSetting = v.pipe(
  v.string('is required'),
  v.minLength(1, 'is required'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return compileJavaRegex(dataset.value);
    } catch (error) {
      addIssue({ message: `is not a valid regular expression (${(error as Error).message})` });
      return NEVER;
    }
  }),
);

export function captureGroupCount(regex: RegExp): number {
  // An alternative that matches the empty string makes exec report every group, unset.
  return new RegExp(`${regex.source}|`, regex.flags).exec('')!.length - 1;
}

function namedGroups(regex: RegExp): Set<string> {
  return new Set(Object.keys(new RegExp(`${regex.source}|`, regex.flags).exec('')!.groups ?? {}));
}

export type ReplacementPart = string | { group: number | string };

/**
 * Parses a Java replacement string against the regex it goes with, as `Matcher.appendReplacement`
 * reads it: `$12` takes as many digits as still name an existing group, `${name}` a named group,
 * and a backslash makes the next character literal. Throws on a reference to a missing group.
 */
export function parseJavaReplacement(replacement: string, regex: RegExp): ReplacementPart[] {
  const groups = captureGroupCount(regex);
  const names = namedGroups(regex);
  const parts: ReplacementPart[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i]!;
    if (char === '\\') {
      if (i + 1 >= replacement.length) throw new SyntaxError('character to be escaped is missing');
      literal += replacement[++i];
      continue;
    }
    if (char !== '$') {
      literal += char;
      continue;
    }
    if (literal) parts.push(literal), (literal = '');
    if (replacement[i + 1] === '{') {
      const end = replacement.indexOf('}', i + 2);
      const name = end === -1 ? '' : replacement.slice(i + 2, end);
      if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new SyntaxError(`named capturing group is missing a name or a closing }`);
      if (!names.has(name)) throw new SyntaxError(`no group with name {${name}}`);
      parts.push({ group: name });
      i = end;
      continue;
    }
    const first = replacement[i + 1];
    if (first === undefined || !/\d/.test(first)) throw new SyntaxError('illegal group reference: $ must be followed by a group number or ${name}');
    let group = Number(first);
    i++;
    while (i + 1 < replacement.length && /\d/.test(replacement[i + 1]!)) {
      const longer = group * 10 + Number(replacement[i + 1]);
      if (longer > groups) break;
      group = longer;
      i++;
    }
    if (group > groups) throw new SyntaxError(`no group ${group} (the regex has ${groups})`);
    parts.push({ group });
  }
  if (literal) parts.push(literal);
  return parts;
}

export function expandReplacement(parts: readonly ReplacementPart[], match: RegExpExecArray): string {
  return parts
    .map((part) => (typeof part === 'string' ? part : ((typeof part.group === 'number' ? match[part.group] : match.groups?.[part.group]) ?? '')))
    .join('');
}
