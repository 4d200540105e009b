// End to end: single-event pushes at a fixed (open-loop) rate into one Inlet worker that runs the
// webhook source and the Postgres sink. Each event carries its send time (Date.now()); a deferred
// constraint trigger, which runs as its transaction commits, records the commit time of each row in
// a side table. Both stamps come from the machine's clock, so push-to-row latency is measured where
// it ends, and a pause in this driver's event loop cannot inflate it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createTopics, type Database } from '../lib/infra.ts';
import { event } from '../lib/payload.ts';
import { benchClassifier, cpuShares, cpuSnapshot, describeShares } from '../lib/cpu.ts';
import { peakRssKb, sleep } from '../lib/proc.ts';
import { wrkPaced } from '../lib/wrk.ts';
import type { Row } from '../lib/results.ts';
import { inletName, startInlet, type Runtime } from '../lib/inlet.ts';

export interface E2eOptions {
  bootstrap: string;
  db: Database;
  dir: string;
  /** Pushes per second to send (half of Inlet's peak single-event rate). */
  rate: number;
  seconds: number;
  runtime: Runtime;
  /**
   * 1: one worker runs ingest and the sink. 2: the pushed worker takes no sink tasks
   * (INLET_SINK_TASKS=false) and a second worker in its cluster runs the sink, a core each.
   */
  workers: 1 | 2;
  log: (line: string) => void;
}

export const splitName = (runtime: Runtime) => `${inletName(runtime)}, ingest + sink worker`;

const WARMUP_SECONDS = 2;
// Enough that the driver never waits for a response to send on time: at 64, pushes answered in
// 8 ms capped it at 7,700/s when 8,300/s were due.
const CONNECTIONS = 256;

export async function runE2e(options: E2eOptions): Promise<Row[]> {
  const { log, rate } = options;
  const split = options.workers === 2;
  const { runtime } = options;
  const variant = `${runtime}${split ? '-split' : ''}`;
  const topic = `e2e-${variant}`;
  const url = await options.db.createDatabase(`bench_e2e_${variant.replace('-', '_')}`);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE TABLE e2e (id bigint PRIMARY KEY, type text, created bigint, sent_ms double precision, kafka_ms double precision, data jsonb)`);
  await admin.unsafe(`CREATE TABLE e2e_landed (id bigint, sent_ms double precision, kafka_ms double precision, landed_ms double precision)`);
  await admin.unsafe(`CREATE FUNCTION e2e_landed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO e2e_landed VALUES (NEW.id, NEW.sent_ms, NEW.kafka_ms, extract(epoch FROM clock_timestamp()) * 1000); RETURN NULL; END $$`);
  await admin.unsafe(`CREATE CONSTRAINT TRIGGER e2e_landed AFTER INSERT OR UPDATE ON e2e DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION e2e_landed()`);
  await admin.end();
  await createTopics(options.bootstrap, 3, [topic]);

  const group = split ? `bench-e2e-${variant}` : undefined;
  const inlet = await startInlet({
    runtime,
    bootstrap: options.bootstrap,
    dir: options.dir,
    connectors: [
      { name: 'e2e', config: { 'connector.class': 'webhook', topic, 'key.field': 'id' } },
      {
        name: 'e2e-sink',
        config: { 'connector.class': 'database-sink', topics: topic, 'table.name.format': 'e2e', 'primary.key.fields': 'id', 'auto.create': false, 'connection.url': url,
          // The record's Kafka timestamp (set as the worker produced it) splits the latency in two.
          transforms: 'produced',
          'transforms.produced.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
          'transforms.produced.timestamp.field': 'kafka_ms',
        },
      },
    ],
    name: split ? `inlet-e2e-${runtime}-ingest` : `inlet-e2e-${runtime}`,
    dbUrl: url,
    ...(split ? { group, env: { INLET_SINK_TASKS: 'false' } } : {}),
  });
  // The sink worker reads the connectors from the cluster's config topic.
  const sinkWorker = split
    ? await startInlet({ runtime, bootstrap: options.bootstrap, dir: options.dir, connectors: [], name: `inlet-e2e-${runtime}-sink`, dbUrl: url, ...(group ? { group } : {}) })
    : undefined;

  const db = postgres(url, { max: 1, onnotice: () => {} });
  const landed = async (where: string) => Number((await db.unsafe(`SELECT count(*)::int AS n FROM e2e_landed WHERE ${where}`))[0]!.n);

  // The driver is wrk (C), pacing with a Lua script: a JS driver (Bun's fetch) cost most of a
  // core at these rates, on the machine the worker, broker and Postgres share.
  const template = join(options.dir, 'e2e-template.json');
  writeFileSync(template, event(0, { sent_ms: 0 }).replace(/^\{"id":"evt_\d+"/, '{"id":@ID@').replace('"sent_ms":0', '"sent_ms":@SENT@'));
  const target = `http://127.0.0.1:${inlet.port}/ingest/e2e`;
  const drive = (seconds: number, sign: 1 | -1) => wrkPaced(target, template, { rate, seconds, connections: CONNECTIONS, sign });

  // Warm-up (negative ids, left out of the figures): at least WARMUP_SECONDS and until the sink
  // has been assigned its partitions and a row has landed, so start-up is not measured.
  log(`e2e (${split ? splitName(runtime) : `${inletName(runtime)}, one worker`}): ${rate} pushes/s (wrk, ${CONNECTIONS} connections), warm-up (>= ${WARMUP_SECONDS} s, until rows land), then ${options.seconds} s measured`);
  const warmupStarted = performance.now();
  do await drive(WARMUP_SECONDS, -1);
  while ((await landed('id < 0')) === 0 && performance.now() - warmupStarted < 60_000);
  const warmupSeconds = (performance.now() - warmupStarted) / 1000;
  const named = new Map([[inlet.service.pid, 'worker'], ...(sinkWorker ? [[sinkWorker.service.pid, 'sink worker'] as [number, string]] : [])]);
  const classify = benchClassifier({ runDir: options.dir, postmaster: options.db.pid, named, others: true });
  const cpuBefore = cpuSnapshot(classify);
  const running = drive(options.seconds, 1);
  // Read while wrk still runs: an exited process leaves no trace in /proc.
  await sleep(options.seconds * 1000 - 500);
  const cpu = describeShares(cpuShares(cpuBefore, cpuSnapshot(classify)));
  const run = await running;
  const measured = run.requests;
  const failures = run.errors;
  const deadline = performance.now() + 15_000;
  let seen = await landed('id >= 0');
  while (seen < measured && performance.now() < deadline) {
    await sleep(100);
    seen = await landed('id >= 0');
  }
  const rss = peakRssKb(inlet.service.pid) + (sinkWorker ? peakRssKb(sinkWorker.service.pid) : 0);
  const [row] = await db.unsafe(`SELECT
      percentile_cont(0.5) WITHIN GROUP (ORDER BY landed_ms - sent_ms) AS p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY landed_ms - sent_ms) AS p99,
      max(landed_ms - sent_ms) AS max,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY kafka_ms - sent_ms) AS to_kafka_p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY kafka_ms - sent_ms) AS to_kafka_p99,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY landed_ms - kafka_ms) AS to_row_p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY landed_ms - kafka_ms) AS to_row_p99
    FROM e2e_landed WHERE id >= 0`);
  await db.end();
  await inlet.service.stop();
  await sinkWorker?.service.stop();

  const p50 = Number(row!.p50);
  const p99 = Number(row!.p99);
  const max = Number(row!.max);
  const missing = Math.max(0, measured - seen);
  const ms = (key: string) => Number(row![key]).toFixed(1);
  const phases = `push to produce p50/p99 ${ms('to_kafka_p50')}/${ms('to_kafka_p99')} ms, produce to row ${ms('to_row_p50')}/${ms('to_row_p99')} ms`;
  log(
    `e2e: warm-up ${warmupSeconds.toFixed(0)} s; push-to-row p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
      `200 p50 ${run.p50Ms.toFixed(1)} ms p99 ${run.p99Ms.toFixed(1)} ms; ${failures} failed, ${missing} rows missing`,
  );
  log(`e2e: ${phases}`);
  log(`e2e: ${cpu}`);
  return [
    {
      scenario: 'e2e',
      case: `1 ev/req at ${Math.round(rate)} req/s (½ peak)`,
      contender: split ? splitName(runtime) : inletName(runtime),
      eventsPerSec: run.requests / run.seconds,
      reqPerSec: run.requests / run.seconds,
      p50Ms: p50,
      p99Ms: p99,
      peakRssMb: rss / 1024,
      note:
        `push-to-row; max ${max.toFixed(1)} ms; ${phases}; HTTP 200 p50/p99 ${run.p50Ms.toFixed(1)}/${run.p99Ms.toFixed(1)} ms; ` +
        `${Math.min(seen, measured)}/${measured} rows seen; ${cpu}${failures ? `; ${failures} failed pushes` : ''}`,
    },
  ];
}
