// Sink: a pre-filled topic of upsert events drained into PostgreSQL, Inlet's database-sink (on each
// runtime) against Kafka Connect (standalone) running the Debezium JDBC sink in upsert mode, one
// after the other, into tables of the same DDL; then PostgreSQL's own bound: the same records
// applied by the server alone, batch by batch as a sink reads them (see pgBound). All must end
// equal to each other and to the expected final state.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { benchClassifier, cpuShares, cpuSnapshot, describeProcessCpu, describeShares, processTicks } from '../lib/cpu.ts';
import { createTopics, pgBin, type Database } from '../lib/infra.ts';
import { inletName, startInlet, type Runtime } from '../lib/inlet.ts';
import { freePort, peakRssKb, ROOT, run, sleep, startService, tail, type Service } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';

export interface SinkOptions {
  bootstrap: string;
  db: Database;
  dir: string;
  events: number;
  keys: number;
  /** The runtimes Inlet's sink runs on, one drain each. */
  runtimes: readonly Runtime[];
  log: (line: string) => void;
}

export const CONNECT = 'Kafka Connect + Debezium JDBC';
export const PG_BOUND = 'PostgreSQL INSERT…SELECT…ON CONFLICT (bound)';
/** Inlet's sink batch size (batch.size's default), which Connect and the bound are given too. */
const BATCH_SIZE = 2000;
/** The topics' partition count; Inlet's sink applies up to 3 partitions' batches at once. */
const PARTITIONS = 3;
const DDL = (table: string) =>
  `CREATE TABLE ${table} (id bigint PRIMARY KEY, version bigint NOT NULL, customer text NOT NULL, amount double precision NOT NULL, active boolean NOT NULL, note text NOT NULL)`;
const CONNECT_HOME = join(ROOT, '.cache', 'bench', 'connect');

interface Expected {
  events: number;
  rows: number;
  sumVersion: number;
}

interface Drain {
  firstRowSeconds: number;
  doneSeconds: number;
  peakRssKb: number;
  /** Where the CPU went from the first row to the final state: the sink, PostgreSQL, the broker. */
  cpu: string;
}

/** Polls the table until it holds the expected final state; times from start, first row and done. */
async function drain(options: SinkOptions, service: Service, url: string, table: string, expected: Expected, timeoutMs: number): Promise<Drain> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = performance.now();
  let firstRow = NaN;
  let peak = 0;
  // The sink's main thread apart: about 100% there means its JS is the limit, less that it waits.
  const classify = benchClassifier({ runDir: options.dir, postmaster: options.db.pid, named: new Map([[service.pid, 'sink']]) });
  let cpuFrom: { all: ReturnType<typeof cpuSnapshot>; sink: ReturnType<typeof processTicks> } | undefined;
  try {
    for (;;) {
      peak = Math.max(peak, peakRssKb(service.pid));
      if (service.proc.exitCode !== null) throw new Error(`${service.name} exited (${service.proc.exitCode}):\n${tail(service.log)}`);
      const [state] = await sql.unsafe(`SELECT count(*)::bigint AS rows, coalesce(sum(version), 0)::bigint AS sum FROM ${table}`);
      const rows = Number(state!.rows);
      const now = performance.now();
      if (rows > 0 && Number.isNaN(firstRow)) {
        firstRow = now;
        cpuFrom = { all: cpuSnapshot(classify), sink: processTicks(service.pid) };
      }
      if (rows === expected.rows && Number(state!.sum) === expected.sumVersion) {
        const cpu = cpuFrom ? `${describeShares(cpuShares(cpuFrom.all, cpuSnapshot(classify)))}; sink ${describeProcessCpu(cpuFrom.sink, processTicks(service.pid)).replace(/; machine.*/, '').replace('CPU: ', '')}` : '';
        return { firstRowSeconds: (firstRow - started) / 1000, doneSeconds: (now - started) / 1000, peakRssKb: Math.max(peak, peakRssKb(service.pid)), cpu };
      }
      if (now - started > timeoutMs) throw new Error(`${service.name}: ${table} did not reach the final state in ${timeoutMs} ms (${rows} rows)\n${tail(service.log)}`);
      await sleep(100);
    }
  } finally {
    await sql.end();
  }
}

async function startConnect(options: SinkOptions, jdbcUrl: string): Promise<Service> {
  const worker = join(options.dir, 'connect-worker.properties');
  const connector = join(options.dir, 'connect-jdbc-sink.properties');
  writeFileSync(
    worker,
    [
      `bootstrap.servers=${options.bootstrap}`,
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable=true',
      `offset.storage.file.filename=${join(options.dir, 'connect.offsets')}`,
      'offset.flush.interval.ms=1000',
      `plugin.path=${join(CONNECT_HOME, 'plugins')}`,
      // Debezium's batch.size below is only reached when a poll returns that many records.
      'consumer.max.poll.records=2000',
      'consumer.auto.offset.reset=earliest',
      `listeners=http://127.0.0.1:${await freePort()}`,
    ].join('\n'),
  );
  writeFileSync(
    connector,
    [
      'name=bench-jdbc-sink',
      'connector.class=io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max=1',
      'topics=sink-schema',
      `connection.url=${jdbcUrl}`,
      'connection.username=inlet',
      'connection.password=',
      'insert.mode=upsert',
      'primary.key.mode=record_value',
      'primary.key.fields=id',
      'schema.evolution=none',
      'collection.name.format=sink_connect',
      'table.name.format=sink_connect',
      // Inlet's default batch.size, so both apply the same number of records per transaction.
      'batch.size=2000',
    ].join('\n'),
  );
  return startService(
    'kafka-connect',
    [
      'java',
      // What bin/connect-standalone.sh and kafka-run-class.sh pass.
      '-Xms256M',
      '-Xmx2G',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(ROOT, 'bench', 'connect', 'log4j2.properties')}`,
      '-cp',
      `${join(CONNECT_HOME, 'libs')}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      worker,
      connector,
    ],
    { logDir: options.dir },
  );
}

async function tableDigest(url: string, table: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql.unsafe(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY id)) AS digest FROM ${table} t`);
    return String(r!.digest);
  } finally {
    await sql.end();
  }
}

/**
 * PostgreSQL's own rate for the sink's work: the same records, from a staging table (COPYed in
 * beforehand, not timed), applied as the sink applies them: per partition in offset order, in
 * batches of BATCH_SIZE consecutive records, each batch one INSERT … SELECT … ON CONFLICT DO UPDATE
 * (a key's last version in the batch, as a sink keeps it: one statement cannot update a row twice)
 * and one commit. A procedure runs the loop inside the server (no client, no round trips), one
 * session per partition at once, as Inlet applies up to three partitions at once.
 */
async function pgBound(options: SinkOptions, url: string, csv: string, table: string, expected: Expected): Promise<{ seconds: number; batches: number; cpu: string }> {
  const sql = postgres(url, { max: PARTITIONS + 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE TABLE sink_stage (part int NOT NULL, seq bigint NOT NULL, id bigint NOT NULL, version bigint NOT NULL, customer text NOT NULL, amount double precision NOT NULL, active boolean NOT NULL, note text NOT NULL, PRIMARY KEY (part, seq))`);
    const pg = new URL(url);
    await run([pgBin('psql'), '-q', '-h', pg.hostname, '-p', pg.port, '-U', 'inlet', '-d', pg.pathname.slice(1), '-c', `\\copy sink_stage FROM '${csv}' WITH (FORMAT csv)`]);
    await sql.unsafe('VACUUM ANALYZE sink_stage');
    const [staged] = await sql.unsafe('SELECT count(*)::bigint AS n FROM sink_stage');
    if (Number(staged!.n) !== expected.events) throw new Error(`PostgreSQL bound: staged ${staged!.n} records, expected ${expected.events}`);
    const columns = ['version', 'customer', 'amount', 'active', 'note'];
    await sql.unsafe(`CREATE PROCEDURE bench_bound(p int, size int) LANGUAGE plpgsql AS $$
      DECLARE lo bigint; hi bigint;
      BEGIN
        SELECT min(seq), max(seq) INTO lo, hi FROM sink_stage WHERE part = p;
        WHILE lo <= hi LOOP
          INSERT INTO ${table} (id, ${columns.join(', ')})
            SELECT DISTINCT ON (id) id, ${columns.join(', ')} FROM sink_stage
            WHERE part = p AND seq >= lo AND seq < lo + size ORDER BY id, seq DESC
            ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')};
          COMMIT;
          lo := lo + size;
        END LOOP;
      END $$`);
    const parts = (await sql.unsafe('SELECT DISTINCT part FROM sink_stage ORDER BY part')).map((r) => Number(r.part));
    const [batches] = await sql.unsafe(`SELECT sum(ceil((max - min + 1) / ${BATCH_SIZE}.0))::int AS n FROM (SELECT min(seq), max(seq) FROM sink_stage GROUP BY part) b`);
    const cpuBefore = cpuSnapshot(benchClassifier({ runDir: options.dir, postmaster: options.db.pid, named: new Map() }));
    const started = performance.now();
    // Simple protocol: a procedure may COMMIT only when CALLed at top level, outside any transaction.
    await Promise.all(parts.map((p) => sql.unsafe(`CALL bench_bound(${p}, ${BATCH_SIZE})`).simple()));
    const seconds = (performance.now() - started) / 1000;
    const cpu = describeShares(cpuShares(cpuBefore, cpuSnapshot(benchClassifier({ runDir: options.dir, postmaster: options.db.pid, named: new Map() }))));
    const [state] = await sql.unsafe(`SELECT count(*)::bigint AS rows, coalesce(sum(version), 0)::bigint AS sum FROM ${table}`);
    if (Number(state!.rows) !== expected.rows || Number(state!.sum) !== expected.sumVersion) {
      throw new Error(`PostgreSQL bound: ${table} holds ${state!.rows} rows (sum ${state!.sum}), expected ${expected.rows} (sum ${expected.sumVersion})`);
    }
    await sql.unsafe('DROP TABLE sink_stage');
    return { seconds, batches: Number(batches!.n), cpu };
  } finally {
    await sql.end();
  }
}

export async function runSink(options: SinkOptions): Promise<Row[]> {
  const { log } = options;
  const url = await options.db.createDatabase('bench_sink');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const inletTable = (runtime: Runtime) => `sink_inlet_${runtime}`;
  for (const runtime of options.runtimes) await sql.unsafe(DDL(inletTable(runtime)));
  await sql.unsafe(DDL('sink_connect'));
  await sql.unsafe(DDL('sink_pg'));
  await sql.end();

  await createTopics(options.bootstrap, PARTITIONS, ['sink-plain', 'sink-schema']);
  log(`sink: filling two topics with ${options.events} upsert events over ${options.keys} keys`);
  const csv = join(options.dir, 'sink-rows.csv');
  const expected = JSON.parse(
    (
      await run(['node', join(ROOT, 'bench', 'tools', 'kafka.mjs'), 'fill-sink', options.bootstrap, String(options.events), String(options.keys), 'sink-plain', 'sink-schema', csv])
    )
      .trim()
      .split('\n')
      .pop()!,
  ) as Expected;
  const timeoutMs = Math.max(120_000, options.events * 2);

  const inletDrains: [Runtime, Drain][] = [];
  for (const runtime of options.runtimes) {
    log(`sink: ${inletName(runtime)} database-sink draining sink-plain`);
    const inlet = await startInlet({
      runtime,
      bootstrap: options.bootstrap,
      dir: options.dir,
      // Its own connector name: its own consumer group and stored offsets, so each drain starts at 0.
      connectors: [
        {
          name: `bench-sink-${runtime}`,
          config: {
            'connector.class': 'database-sink',
            topics: 'sink-plain',
            'table.name.format': inletTable(runtime),
            'primary.key.fields': 'id',
            'auto.create': false,
            'connection.url': url,
          },
        },
      ],
      name: `inlet-sink-${runtime}`,
      dbUrl: url,
    });
    try {
      inletDrains.push([runtime, await drain(options, inlet.service, url, inletTable(runtime), expected, timeoutMs)]);
    } finally {
      await inlet.service.stop();
    }
  }

  log('sink: Kafka Connect + Debezium JDBC sink draining sink-schema');
  const pg = new URL(url);
  const connect = await startConnect(options, `jdbc:postgresql://${pg.host}${pg.pathname}`);
  let connectDrain: Drain;
  try {
    connectDrain = await drain(options, connect, url, 'sink_connect', expected, timeoutMs);
  } finally {
    await connect.stop();
  }

  log(`sink: ${PG_BOUND}, batches of ${BATCH_SIZE}, ${PARTITIONS} sessions`);
  const bound = await pgBound(options, url, csv, 'sink_pg', expected);
  rmSync(csv, { force: true });

  const tables = [...options.runtimes.map(inletTable), 'sink_connect', 'sink_pg'];
  const digests = await Promise.all(tables.map((t) => tableDigest(url, t)));
  const equal = digests.every((d) => d === digests[0]);
  log(`sink: final tables ${equal ? 'are equal' : `DIFFER (${tables.map((t, i) => `${t} ${digests[i]}`).join(', ')})`} (${expected.rows} rows, md5 ${digests[0]})`);

  const rate = (d: Drain) => expected.events / Math.max(0.001, d.doneSeconds - d.firstRowSeconds);
  const boundRate = expected.events / bound.seconds;
  const ofBound = (r: number) => `${Math.round((100 * r) / boundRate)}% of PostgreSQL's bound`;
  const label = `${expected.events.toLocaleString('en-US')} upserts / ${expected.rows.toLocaleString('en-US')} keys`;
  const verdict = equal ? 'tables equal' : 'TABLES DIFFER';
  const note = (d: Drain) => `${ofBound(rate(d))}; drained in ${d.doneSeconds.toFixed(1)} s from start (first row at ${d.firstRowSeconds.toFixed(1)} s); ${verdict}; ${d.cpu}`;
  const connectRate = rate(connectDrain);
  return [
    ...inletDrains.map(([runtime, d]): Row => ({ scenario: 'sink', case: label, contender: inletName(runtime), eventsPerSec: rate(d), peakRssMb: d.peakRssKb / 1024, vsBaseline: rate(d) / connectRate, note: note(d) })),
    { scenario: 'sink', case: label, contender: CONNECT, eventsPerSec: connectRate, peakRssMb: connectDrain.peakRssKb / 1024, vsBaseline: 1, note: note(connectDrain) },
    {
      scenario: 'sink',
      case: label,
      contender: PG_BOUND,
      eventsPerSec: boundRate,
      vsBaseline: boundRate / connectRate,
      note: `the server alone: ${bound.batches} batches of ${BATCH_SIZE} records (last version per key) from a staging table, one commit each, ${PARTITIONS} sessions at once, in ${bound.seconds.toFixed(1)} s; ${verdict}; ${bound.cpu}`,
    },
  ];
}
