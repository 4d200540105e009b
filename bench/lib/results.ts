// One row of the results table, and the table itself.

export interface Row {
  scenario: 'ingest' | 'sink' | 'e2e' | 'soak';
  /** What was measured, e.g. "100 ev/req, c=64". */
  case: string;
  contender: string;
  eventsPerSec: number;
  reqPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssMb?: number;
  /** eventsPerSec over the same case's baseline row (Express+KafkaJS for ingest, Kafka Connect for sink). */
  vsBaseline?: number;
  note?: string;
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function markdownTable(rows: readonly Row[]): string {
  const head = '| scenario | case | contender | events/s | req/s | p50 ms | p99 ms | peak RSS MiB | × baseline | note |';
  const rule = '|---|---|---|--:|--:|--:|--:|--:|--:|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.case} | ${r.contender} | ${fmt(r.eventsPerSec)} | ${fmt(r.reqPerSec)} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.peakRssMb)} | ${r.vsBaseline === undefined ? '' : `${r.vsBaseline.toFixed(2)}×`} | ${r.note ?? ''} |`,
  );
  return [head, rule, ...lines].join('\n');
}
