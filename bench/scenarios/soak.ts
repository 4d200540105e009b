// Soak: a million records through one Inlet worker on Bun that runs the webhook source and the
// PostgreSQL sink, with the worker's RSS sampled every second. RSS that keeps climbing after
// warm-up is memory nobody frees: on Bun most likely native (librdkafka messages, events and
// partition lists the FFI backend must free), since the JS heap is collected. At the end every
// record must be in the table exactly once: the table has no key (the sink appends), so a
// record delivered twice shows as a second row, and a lost one as a missing id.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createTopics, type Database } from '../lib/infra.ts';
import { inletName, startInlet, type Runtime } from '../lib/inlet.ts';
import { event } from '../lib/payload.ts';
import { rssKb, sleep } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';

export interface SoakOptions {
  bootstrap: string;
  db: Database;
  dir: string;
  records: number;
  runtime: Runtime;
  log: (line: string) => void;
}

/** Events per push: a million records in 100,000 requests, so both the per-request and the per-record paths are soaked. */
const BATCH = 10;
/** Pushes in flight (the driver's connections). */
const CONCURRENCY = 32;
/** RSS is compared from the moment this share of the records has been acknowledged. */
const WARMUP_SHARE = 0.1;

interface Sample {
  seconds: number;
  rssKb: number;
  acked: number;
}

export async function runSoak(options: SoakOptions): Promise<{ rows: Row[]; verdicts: string[] }> {
  const { log, records, runtime } = options;
  const url = await options.db.createDatabase('bench_soak');
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE TABLE soak (id bigint NOT NULL, type text, created bigint, data jsonb)`);
  await admin.end();
  await createTopics(options.bootstrap, 3, ['soak']);
  const inlet = await startInlet({
    runtime,
    bootstrap: options.bootstrap,
    dir: options.dir,
    name: `inlet-soak-${runtime}`,
    dbUrl: url,
    connectors: [
      { name: 'soak', config: { 'connector.class': 'webhook', topic: 'soak', 'key.field': 'id' } },
      { name: 'soak-sink', config: { 'connector.class': 'database-sink', topics: 'soak', 'table.name.format': 'soak', 'primary.key.mode': 'none', 'auto.create': false, 'connection.url': url } },
    ],
  });
  const pid = inlet.service.pid;
  const target = `http://127.0.0.1:${inlet.port}/ingest/soak`;
  const [head, tail] = event(0).replace(/^\{"id":"evt_\d+"/, '{"id":@ID@').split('@ID@') as [string, string];

  const samples: Sample[] = [];
  let acked = 0;
  const started = performance.now();
  const sampler = setInterval(() => samples.push({ seconds: (performance.now() - started) / 1000, rssKb: rssKb(pid), acked }), 1000);
  const latencies: number[] = [];
  let next = 0;
  let retries = 0;
  let failure: string | undefined;
  log(`soak: ${records.toLocaleString('en-US')} records (${BATCH} per push, ${CONCURRENCY} in flight) into ${inletName(runtime)} (webhook source + PostgreSQL sink, one worker)`);
  const client = async () => {
    while (next < records && !failure) {
      const first = next;
      next = Math.min(records, next + BATCH);
      const ids = Array.from({ length: next - first }, (_, i) => first + i);
      const body = `[${ids.map((id) => head + id + tail).join(',')}]`;
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        const status = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
          .then(async (r) => (await r.arrayBuffer(), r.status))
          .catch(() => 0);
        if (status === 200) {
          latencies.push(performance.now() - t0);
          acked += ids.length;
          break;
        }
        // 503 (Kafka busy or the queue full) means nothing was accepted: the same push again.
        // A connection error is retried too; a record landing twice then shows in the count.
        retries++;
        if (attempt >= 50) {
          failure = `push of ids ${first}..${next - 1} failed 50 times (last status ${status})`;
          return;
        }
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const pushSeconds = (performance.now() - started) / 1000;
  log(`soak: ${acked} records acknowledged in ${pushSeconds.toFixed(0)} s; waiting for the sink`);

  const db = postgres(url, { max: 1, onnotice: () => {} });
  let landed = { rows: 0, distinct: 0, min: 0, max: 0 };
  const deadline = performance.now() + Math.max(120_000, records / 5);
  for (;;) {
    const [r] = await db.unsafe(`SELECT count(*)::bigint AS rows FROM soak`);
    landed.rows = Number(r!.rows);
    if (landed.rows >= acked || performance.now() > deadline) break;
    await sleep(1000);
  }
  // Rows may still arrive after the count was reached (a duplicate): one more second, then the final tally.
  await sleep(1000);
  const [tally] = await db.unsafe(`SELECT count(*)::bigint AS rows, count(DISTINCT id)::bigint AS distinct, min(id)::bigint AS min, max(id)::bigint AS max FROM soak`);
  landed = { rows: Number(tally!.rows), distinct: Number(tally!.distinct), min: Number(tally!.min), max: Number(tally!.max) };
  await db.end();
  const drainSeconds = (performance.now() - started) / 1000 - pushSeconds;
  clearInterval(sampler);
  samples.push({ seconds: (performance.now() - started) / 1000, rssKb: rssKb(pid), acked });
  await inlet.service.stop();

  writeFileSync(join(options.dir, 'soak-rss.csv'), `seconds,rss_kib,acked_records\n${samples.map((s) => `${s.seconds.toFixed(1)},${s.rssKb},${s.acked}`).join('\n')}\n`);
  const mib = (kb: number) => kb / 1024;
  const warm = samples.find((s) => s.acked >= records * WARMUP_SHARE) ?? samples[0]!;
  const half = samples.find((s) => s.acked >= records / 2) ?? warm;
  const pushed = samples.filter((s) => s.acked < records).at(-1) ?? warm;
  const end = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rssKb));
  const growth = end.rssKb - warm.rssKb;
  const flat = growth <= warm.rssKb * 0.1;
  const once = !failure && landed.rows === records && landed.distinct === records && landed.min === 0 && landed.max === records - 1;
  latencies.sort((a, b) => a - b);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const rssStory = `RSS ${mib(warm.rssKb).toFixed(0)} MiB after warm-up (${(WARMUP_SHARE * 100).toFixed(0)}% acknowledged, ${warm.seconds.toFixed(0)} s), ${mib(half.rssKb).toFixed(0)} at 50%, ${mib(pushed.rssKb).toFixed(0)} as the last pushes went out, ${mib(end.rssKb).toFixed(0)} at the end (${growth >= 0 ? '+' : ''}${mib(growth).toFixed(0)} MiB); ${samples.length} samples in soak-rss.csv`;
  const landedStory = `${landed.rows.toLocaleString('en-US')} rows, ${landed.distinct.toLocaleString('en-US')} distinct ids (${landed.min}..${landed.max}) for ${records.toLocaleString('en-US')} sent (${acked.toLocaleString('en-US')} acknowledged, ${retries} pushes retried)`;
  log(`soak: ${rssStory}`);
  log(`soak: ${landedStory}; sink caught up ${drainSeconds.toFixed(0)} s after the last push`);
  return {
    rows: [
      {
        scenario: 'soak',
        case: `${records.toLocaleString('en-US')} records, ${BATCH} ev/req, c=${CONCURRENCY}`,
        contender: `${inletName(runtime)}, ingest + sink`,
        eventsPerSec: acked / pushSeconds,
        reqPerSec: latencies.length / pushSeconds,
        p50Ms: pct(0.5),
        p99Ms: pct(0.99),
        peakRssMb: mib(peak),
        note: `${rssStory}; ${landedStory}; all rows in ${(pushSeconds + drainSeconds).toFixed(0)} s${failure ? `; ${failure}` : ''}`,
      },
    ],
    verdicts: [
      `- soak (${inletName(runtime)}), RSS flat after warm-up (end within 10% of it): ${flat ? 'met' : 'MISSED'} (${mib(warm.rssKb).toFixed(0)} -> ${mib(end.rssKb).toFixed(0)} MiB, peak ${mib(peak).toFixed(0)})`,
      `- soak (${inletName(runtime)}), every record landed once: ${once ? 'met' : 'MISSED'} (${landedStory})`,
    ],
  };
}
