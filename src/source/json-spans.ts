/**
 * The text of each element of a JSON array, as sent. Only for text JSON.parse has already
 * accepted: the scan trusts it to be valid and only tracks nesting and strings. Keeping the sender's
 * text spares re-serialising every record and keeps what JSON.parse would round, such as integers
 * past 2^53.
 */
const STRUCTURE = /["[\]{},]/g;

export function arrayElementTexts(text: string): string[] {
  const elements: string[] = [];
  const open = text.indexOf('[');
  let depth = 0;
  let start = open + 1;
  STRUCTURE.lastIndex = open;
  for (let match = STRUCTURE.exec(text); match; match = STRUCTURE.exec(text)) {
    const at = match.index;
    switch (text.charCodeAt(at)) {
      case 0x22: // "
        STRUCTURE.lastIndex = stringEnd(text, at) + 1;
        break;
      case 0x5b: // [
      case 0x7b: // {
        depth++;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        if (--depth === 0) {
          const last = text.slice(start, at).trim();
          if (last !== '') elements.push(last);
          return elements;
        }
        break;
      default: // ,
        if (depth === 1) {
          elements.push(text.slice(start, at).trim());
          start = at + 1;
        }
    }
  }
  return elements;
}

/** Index of the quote closing the string that opens at `open`. */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
}
