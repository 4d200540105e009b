/** Offsets [start, end) of one partition to read. */
export interface Span {
  topic: string;
  partition: number;
  start: number;
  end: number;
}

/** Moves span starts forward so that at most `max` records remain, each span keeping its share. */
export function newestShare(spans: Span[], max: number): Span[] {
  const total = spans.reduce((n, s) => n + (s.end - s.start), 0);
  if (total <= max) return spans;
  // Largest remainder: the shares add up to exactly `max`.
  const quotas = spans.map((s) => ((s.end - s.start) * max) / total);
  const counts = quotas.map(Math.floor);
  let left = max - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return spans.map((s, i) => ({ ...s, start: s.end - counts[i]! })).filter((s) => s.end > s.start);
}
