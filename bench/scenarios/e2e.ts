// End to end: single-event pushes at a fixed (open-loop) rate into one Inlet worker that runs the
// webhook source and the Postgres sink; each row carries its send time, and a trigger NOTIFYs its
// id at commit, so push-to-row latency is measured on one clock, in this process.
import { join } from 'node:path';
import postgres from 'postgres';
import { createTopics, type Database } from '../lib/infra.ts';
import { event } from '../lib/payload.ts';
import { peakRssKb, percentile, sleep } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';
import { INLET, startInlet } from './ingest.ts';

export interface E2eOptions {
  bootstrap: string;
  db: Database;
  dir: string;
  /** Pushes per second to send (half of Inlet's peak single-event rate). */
  rate: number;
  seconds: number;
  inletNodeArgs: string[];
  log: (line: string) => void;
}

const WARMUP_SECONDS = 2;

export async function runE2e(options: E2eOptions): Promise<Row[]> {
  const { log, rate } = options;
  const url = await options.db.createDatabase('bench_e2e');
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE TABLE e2e (id bigint PRIMARY KEY, type text, created bigint, sent_ms double precision, data jsonb)`);
  await admin.unsafe(`CREATE FUNCTION e2e_landed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('e2e_landed', NEW.id::text); RETURN NEW; END $$`);
  await admin.unsafe(`CREATE TRIGGER e2e_landed AFTER INSERT OR UPDATE ON e2e FOR EACH ROW EXECUTE FUNCTION e2e_landed()`);
  await admin.end();
  await createTopics(options.bootstrap, 3, ['e2e']);

  const inlet = await startInlet(
    options.bootstrap,
    options.dir,
    [
      { name: 'e2e', config: { 'connector.class': 'webhook', topic: 'e2e', 'key.field': 'id' } },
      {
        name: 'e2e-sink',
        config: { 'connector.class': 'database-sink', topics: 'e2e', 'table.name.format': 'e2e', 'primary.key.fields': 'id', 'auto.create': false, 'connection.url': url },
      },
    ],
    options.inletNodeArgs,
    'inlet-e2e',
    url,
  );

  const sentAt = new Map<number, number>();
  const rowLatencies: number[] = [];
  const ackLatencies: number[] = [];
  let failures = 0;
  const listener = postgres(url, { max: 1, onnotice: () => {} });
  await listener.listen('e2e_landed', (payload) => {
    const id = Number(payload);
    const sent = sentAt.get(id);
    if (sent === undefined) return;
    sentAt.delete(id);
    if (id >= 0) rowLatencies.push(performance.now() - sent);
  });

  const target = `http://127.0.0.1:${inlet.port}/ingest/e2e`;
  // Warm-up pushes get negative ids and are left out of the figures.
  const warmupCount = Math.round(rate * WARMUP_SECONDS);
  const total = warmupCount + Math.round(rate * options.seconds);
  log(`e2e: ${rate} pushes/s for ${options.seconds} s (+${WARMUP_SECONDS} s warm-up)`);
  const inflight = new Set<Promise<void>>();
  const push = (n: number) => {
    const id = n < warmupCount ? -(n + 1) : n - warmupCount;
    const sent = performance.now();
    sentAt.set(id, sent);
    const body = event(n, { sent_ms: Date.now() }).replace(/^\{"id":"evt_\d+"/, `{"id":${id}`);
    const request = fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (response) => {
        await response.arrayBuffer();
        if (!response.ok) failures++;
        else if (id >= 0) ackLatencies.push(performance.now() - sent);
      })
      .catch(() => void failures++)
      .finally(() => inflight.delete(request));
    inflight.add(request);
  };
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent < due) push(sent++);
    await sleep(1);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(inflight);
  const deadline = performance.now() + 15_000;
  while ([...sentAt.keys()].some((id) => id >= 0) && performance.now() < deadline) await sleep(50);
  const missing = [...sentAt.keys()].filter((id) => id >= 0).length;
  const rss = peakRssKb(inlet.service.pid);
  await listener.end();
  await inlet.service.stop();

  rowLatencies.sort((a, b) => a - b);
  ackLatencies.sort((a, b) => a - b);
  const measured = total - warmupCount;
  log(
    `e2e: push-to-row p50 ${percentile(rowLatencies, 50).toFixed(1)} ms, p99 ${percentile(rowLatencies, 99).toFixed(1)} ms, max ${rowLatencies.at(-1)?.toFixed(1)} ms; ` +
      `200 p50 ${percentile(ackLatencies, 50).toFixed(1)} ms p99 ${percentile(ackLatencies, 99).toFixed(1)} ms; ${failures} failed, ${missing} rows missing`,
  );
  return [
    {
      scenario: 'e2e',
      case: `1 ev/req at ${Math.round(rate)} req/s (½ peak)`,
      contender: INLET,
      eventsPerSec: total / sendSeconds,
      reqPerSec: total / sendSeconds,
      p50Ms: percentile(rowLatencies, 50),
      p99Ms: percentile(rowLatencies, 99),
      peakRssMb: rss / 1024,
      note:
        `push-to-row; max ${rowLatencies.at(-1)?.toFixed(1)} ms; HTTP 200 p50/p99 ${percentile(ackLatencies, 50).toFixed(1)}/${percentile(ackLatencies, 99).toFixed(1)} ms; ` +
        `${measured - missing}/${measured} rows seen${failures ? `; ${failures} failed pushes` : ''}`,
    },
  ];
}
