import { stringifyJson } from '../json/index.ts';

/** Splits rows so one statement stays under the driver's bind-parameter limit. */
export function chunkRows<T>(rows: readonly T[], columnsPerRow: number, maxParameters: number, maxBytes = MAX_STATEMENT_BYTES): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnsPerRow)));
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = approximateBytes(row);
    if (chunk.length > 0 && (chunk.length >= size || bytes + rowBytes > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += rowBytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Past this a statement is split even under the parameter limit: wide JSON rows stay bounded in memory. */
export const MAX_STATEMENT_BYTES = 16 * 1024 * 1024;

/** A cheap size estimate of a row's bound values (strings by length, anything else as 8 bytes). */
function approximateBytes(row: unknown): number {
  if (typeof row !== 'object' || row === null) return 8;
  let bytes = 0;
  for (const value of Object.values(row)) {
    if (typeof value === 'string') bytes += value.length;
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === 'object' && value !== null) bytes += stringifyJson(value).length;
    else bytes += 8;
  }
  return bytes;
}
