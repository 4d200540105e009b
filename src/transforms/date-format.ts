// A subset of java.text.SimpleDateFormat, always in UTC as Connect's TimestampConverter uses it.
// Letters: y (year; yy = two digits), M (month; MMM/MMMM = English names), d, H, m, s, S (the
// millisecond number, as Java reads it), Z (+0000) and X (Z or +hh:mm). Text in single quotes is
// literal ('T', 'Z'); '' is a quote. Any other letter is refused when the option is read.

export type DateToken = { literal: string } | { letter: DateLetter; count: number };
type DateLetter = 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S' | 'Z' | 'X';

const LETTERS = new Set<string>(['y', 'M', 'd', 'H', 'm', 's', 'S', 'Z', 'X']);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Splits a pattern into fields and literals; throws naming the first thing it cannot do. */
export function parseDatePattern(pattern: string): DateToken[] {
  const tokens: DateToken[] = [];
  const pushLiteral = (text: string) => {
    const last = tokens.at(-1);
    if (last && 'literal' in last) last.literal += text;
    else tokens.push({ literal: text });
  };
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (char === "'") {
      if (pattern[i + 1] === "'") {
        pushLiteral("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (; j < pattern.length; j++) {
        if (pattern[j] !== "'") text += pattern[j];
        else if (pattern[j + 1] === "'") text += "'", j++;
        else break;
      }
      if (j >= pattern.length) throw new SyntaxError('has an unterminated quote');
      pushLiteral(text);
      i = j + 1;
    } else if (/[a-zA-Z]/.test(char)) {
      if (!LETTERS.has(char)) throw new SyntaxError(`uses pattern letter '${char}', which is not supported (supported: y M d H m s S Z X, and 'quoted' text)`);
      let count = 1;
      while (pattern[i + count] === char) count++;
      tokens.push({ letter: char as DateLetter, count });
      i += count;
    } else {
      pushLiteral(char);
      i++;
    }
  }
  return tokens;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Formats unix milliseconds in UTC. */
export function formatDate(tokens: readonly DateToken[], epochMillis: number): string {
  const date = new Date(epochMillis);
  return tokens
    .map((token) => {
      if ('literal' in token) return token.literal;
      const { letter, count } = token;
      switch (letter) {
        case 'y':
          return count === 2 ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), count);
        case 'M':
          if (count >= 4) return MONTHS[date.getUTCMonth()]!;
          if (count === 3) return MONTHS[date.getUTCMonth()]!.slice(0, 3);
          return pad(date.getUTCMonth() + 1, count);
        case 'd':
          return pad(date.getUTCDate(), count);
        case 'H':
          return pad(date.getUTCHours(), count);
        case 'm':
          return pad(date.getUTCMinutes(), count);
        case 's':
          return pad(date.getUTCSeconds(), count);
        case 'S':
          return pad(date.getUTCMilliseconds(), count);
        case 'Z':
          return '+0000';
        case 'X':
          return 'Z';
      }
    })
    .join('');
}

const isNumeric = (token: DateToken | undefined) => token !== undefined && 'letter' in token && token.letter !== 'Z' && token.letter !== 'X' && !(token.letter === 'M' && token.count >= 3);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher for the whole text; fields that abut another number take exactly their width, as in Java. */
function matcherFor(tokens: readonly DateToken[]): RegExp {
  const source = tokens
    .map((token, index) => {
      if ('literal' in token) return escapeRegex(token.literal);
      if (token.letter === 'Z') return '([+-]\\d{4}|Z)';
      if (token.letter === 'X') return '(Z|[+-]\\d{2}(?::?\\d{2})?)';
      if (token.letter === 'M' && token.count >= 3) return `(${MONTHS.map((m) => (token.count >= 4 ? m : m.slice(0, 3))).join('|')})`;
      return isNumeric(tokens[index + 1]) ? `(\\d{${token.count}})` : '(\\d+)';
    })
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function offsetMinutes(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return text[0] === '-' ? -minutes : minutes;
}

/** Parses text written in the pattern to unix milliseconds; undefined when it does not fit. */
export function parseDate(tokens: readonly DateToken[], text: string): number | undefined {
  const match = matcherFor(tokens).exec(text);
  if (!match) return undefined;
  const parts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0, offset: 0 };
  let group = 1;
  for (const token of tokens) {
    if ('literal' in token) continue;
    const value = match[group++]!;
    switch (token.letter) {
      case 'y': {
        let year = Number(value);
        if (token.count <= 2 && value.length === 2) {
          // Java's window: the century that puts the year within 80 years before and 20 after now.
          const now = new Date().getUTCFullYear();
          year += Math.floor((now - 80) / 100) * 100;
          if (year < now - 80) year += 100;
        }
        parts.year = year;
        break;
      }
      case 'M':
        parts.month = token.count >= 3 ? MONTHS.findIndex((m) => m.toLowerCase().startsWith(value.toLowerCase())) + 1 : Number(value);
        break;
      case 'd':
        parts.day = Number(value);
        break;
      case 'H':
        parts.hour = Number(value);
        break;
      case 'm':
        parts.minute = Number(value);
        break;
      case 's':
        parts.second = Number(value);
        break;
      case 'S':
        parts.millis = Number(value);
        break;
      case 'Z':
      case 'X':
        parts.offset = offsetMinutes(value);
        break;
    }
  }
  // Lenient as SimpleDateFormat is by default: Date.UTC rolls a 32nd day into the next month.
  const date = new Date(0);
  date.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  date.setUTCHours(parts.hour, parts.minute, parts.second, parts.millis);
  return date.getTime() - parts.offset * 60_000;
}

const ISO = /^(?:(\d{4})-(\d{2})-(\d{2}))?(?:[T ]?(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO-8601 as Inlet writes Timestamp, Date and Time values (2024-05-01T12:00:00.000Z,
 * 2024-05-01, 12:00:00.000); a value without an offset is UTC. Undefined when it is not one.
 */
export function parseIsoDate(text: string): number | undefined {
  const match = ISO.exec(text.trim());
  if (!match || (match[1] === undefined && match[4] === undefined)) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const date = new Date(0);
  if (year !== undefined) date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  date.setUTCHours(Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), millis);
  return date.getTime() - (offset === undefined ? 0 : offsetMinutes(offset)) * 60_000;
}
