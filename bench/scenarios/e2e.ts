// End to end: single-event pushes at a fixed (open-loop) rate into one Inlet worker that runs the
// webhook source and the Postgres sink. Each event carries its send time (Date.now()); a deferred
// constraint trigger, which runs as its transaction commits, records the commit time of each row in
// a side table. Both stamps come from the machine's clock, so push-to-row latency is measured where
// it ends, and a pause in this driver's event loop cannot inflate it.
import { join } from 'node:path';
import postgres from 'postgres';
import { createTopics, type Database } from '../lib/infra.ts';
import { event } from '../lib/payload.ts';
import { cpuShares, cpuSnapshot, describeShares, type Classify } from '../lib/cpu.ts';
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
  await admin.unsafe(`CREATE TABLE e2e_landed (id bigint, sent_ms double precision, landed_ms double precision)`);
  await admin.unsafe(`CREATE FUNCTION e2e_landed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO e2e_landed VALUES (NEW.id, NEW.sent_ms, extract(epoch FROM clock_timestamp()) * 1000); RETURN NULL; END $$`);
  await admin.unsafe(`CREATE CONSTRAINT TRIGGER e2e_landed AFTER INSERT OR UPDATE ON e2e DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION e2e_landed()`);
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

  const ackLatencies: number[] = [];
  let failures = 0;
  const db = postgres(url, { max: 1, onnotice: () => {} });
  const landed = async (where: string) => Number((await db.unsafe(`SELECT count(*)::int AS n FROM e2e_landed WHERE ${where}`))[0]!.n);

  const target = `http://127.0.0.1:${inlet.port}/ingest/e2e`;
  const inflight = new Set<Promise<void>>();
  const push = (id: number, n: number) => {
    const sent = performance.now();
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
  /** Pushes at `rate` until `done` says stop; ids come from `idOf(n)`. Returns pushes and seconds. */
  const pushAtRate = async (idOf: (n: number) => number, done: (n: number, seconds: number) => boolean) => {
    const started = performance.now();
    let n = 0;
    for (;;) {
      const seconds = (performance.now() - started) / 1000;
      if (done(n, seconds)) return { count: n, seconds };
      const due = Math.floor(seconds * rate);
      while (n < due && !done(n, seconds)) push(idOf(n), n++);
      await sleep(1);
    }
  };

  // Warm-up (negative ids, left out of the figures): at least WARMUP_SECONDS and until the sink
  // has been assigned its partitions and a row has landed, so start-up is not measured.
  log(`e2e: ${rate} pushes/s, warm-up (>= ${WARMUP_SECONDS} s, until rows land), then ${options.seconds} s measured`);
  let flowing = false;
  const probe = setInterval(() => void landed('id < 0').then((n) => (flowing ||= n > 0)), 250);
  const warmup = await pushAtRate((n) => -(n + 1), (_, seconds) => (seconds >= WARMUP_SECONDS && flowing) || seconds > 60);
  clearInterval(probe);
  const measured = Math.round(rate * options.seconds);
  const classify: Classify = (pid, cmdline, comm) =>
    pid === inlet.service.pid ? 'worker' : pid === process.pid ? 'load driver' : cmdline.includes('kafka.Kafka') ? 'broker' : comm === 'postgres' ? 'postgres' : 'other';
  const cpuBefore = cpuSnapshot(classify);
  const run = await pushAtRate((n) => n, (n) => n >= measured);
  const cpu = describeShares(cpuShares(cpuBefore, cpuSnapshot(classify)));
  await Promise.all(inflight);
  const deadline = performance.now() + 15_000;
  let seen = await landed('id >= 0');
  while (seen < measured && performance.now() < deadline) {
    await sleep(100);
    seen = await landed('id >= 0');
  }
  const rss = peakRssKb(inlet.service.pid);
  const [row] = await db.unsafe(`SELECT
      percentile_cont(0.5) WITHIN GROUP (ORDER BY landed_ms - sent_ms) AS p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY landed_ms - sent_ms) AS p99,
      max(landed_ms - sent_ms) AS max
    FROM e2e_landed WHERE id >= 0`);
  await db.end();
  await inlet.service.stop();

  const p50 = Number(row!.p50);
  const p99 = Number(row!.p99);
  const max = Number(row!.max);
  ackLatencies.sort((a, b) => a - b);
  const missing = measured - seen;
  log(
    `e2e: warm-up ${warmup.seconds.toFixed(1)} s; push-to-row p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
      `200 p50 ${percentile(ackLatencies, 50).toFixed(1)} ms p99 ${percentile(ackLatencies, 99).toFixed(1)} ms; ${failures} failed, ${missing} rows missing`,
  );
  log(`e2e: ${cpu}`);
  return [
    {
      scenario: 'e2e',
      case: `1 ev/req at ${Math.round(rate)} req/s (½ peak)`,
      contender: INLET,
      eventsPerSec: run.count / run.seconds,
      reqPerSec: run.count / run.seconds,
      p50Ms: p50,
      p99Ms: p99,
      peakRssMb: rss / 1024,
      note:
        `push-to-row; max ${max.toFixed(1)} ms; HTTP 200 p50/p99 ${percentile(ackLatencies, 50).toFixed(1)}/${percentile(ackLatencies, 99).toFixed(1)} ms; ` +
        `${seen}/${measured} rows seen; ${cpu}${failures ? `; ${failures} failed pushes` : ''}`,
    },
  ];
}
