// The ingest payload: 1 KiB JSON events, one per request or 100 in a JSON array.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const EVENT_BYTES = 1024;

/** A webhook-like event padded to exactly EVENT_BYTES of JSON. */
export function event(n: number, extra: Record<string, unknown> = {}): string {
  const base = {
    id: `evt_${String(n).padStart(10, '0')}`,
    type: 'order.updated',
    created: 1_700_000_000 + n,
    ...extra,
    data: { order: n, customer: `cus_${n % 9973}`, amount: 1999, currency: 'eur', status: 'paid', note: '' },
  };
  const short = JSON.stringify(base).length;
  base.data.note = 'x'.repeat(Math.max(0, EVENT_BYTES - short));
  return JSON.stringify(base);
}

/** Writes single.json (one event) and batch.json (an array of `batch` events) into `dir`. */
export function writeBodies(dir: string, batch: number): { single: string; batch: string } {
  const single = join(dir, 'single.json');
  const many = join(dir, 'batch.json');
  writeFileSync(single, event(1));
  writeFileSync(many, `[${Array.from({ length: batch }, (_, i) => event(i + 1)).join(',')}]`);
  return { single, batch: many };
}
