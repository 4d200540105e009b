import { parseJson } from '../json/index.ts';
import { arrayElementTexts } from './json-spans.ts';

/** Where a body failed to parse: `line` for NDJSON, nothing for a single JSON document. */
export interface BodyError {
  message: string;
  line?: number;
}

/** `texts[i]` is item i's JSON text as sent (see json-spans.ts). */
export type ParsedBody = { ok: true; items: unknown[]; texts?: string[] } | { ok: false; error: BodyError };

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-seq'];

function isNdjson(contentType: string | null): boolean {
  const base = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return NDJSON_TYPES.includes(base);
}

function parseLines(text: string): ParsedBody {
  const items: unknown[] = [];
  const texts: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      items.push(parseJson(line));
      texts.push(line);
    } catch (error) {
      return { ok: false, error: { line: i + 1, message: `line ${i + 1} is not valid JSON: ${(error as Error).message}` } };
    }
  }
  return items.length === 0 ? { ok: false, error: { message: 'body holds no records' } } : { ok: true, items, texts };
}

/**
 * Reads one JSON object, a JSON array (a batch), or NDJSON (one JSON value a line). NDJSON is taken
 * when the content type says so, or when the body is not one JSON document but splits into lines.
 */
export function parseBody(text: string, contentType: string | null): ParsedBody {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: { message: 'body is empty' } };
  if (isNdjson(contentType)) return parseLines(text);
  let document: unknown;
  try {
    // Exact: a key or offset field past 2^53 must not be rounded (the texts keep the values).
    document = parseJson(text);
  } catch (error) {
    if (trimmed.includes('\n')) return parseLines(text);
    return { ok: false, error: { message: `body is not valid JSON: ${(error as Error).message}` } };
  }
  if (Array.isArray(document)) {
    if (document.length === 0) return { ok: false, error: { message: 'body holds no records' } };
    const texts = arrayElementTexts(text);
    // A count that differs would pair texts with the wrong items: fall back to re-serialising.
    return texts.length === document.length ? { ok: true, items: document, texts } : { ok: true, items: document };
  }
  return { ok: true, items: [document], texts: [trimmed] };
}
