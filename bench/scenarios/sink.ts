// Sink: a pre-filled topic of upsert events drained into PostgreSQL, Inlet's database-sink against
// Kafka Connect (standalone) running the Debezium JDBC sink in upsert mode, one after the other,
// into tables of the same DDL. Both must end equal to each other and to the expected final state.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createTopics, type Database } from '../lib/infra.ts';
import { freePort, peakRssKb, ROOT, run, sleep, startService, tail, type Service } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';
import { INLET, startInlet } from './ingest.ts';

export interface SinkOptions {
  bootstrap: string;
  db: Database;
  dir: string;
  events: number;
  keys: number;
  inletNodeArgs: string[];
  log: (line: string) => void;
}

export const CONNECT = 'Kafka Connect + Debezium JDBC';
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
}

/** Polls the table until it holds the expected final state; times from start, first row and done. */
async function drain(service: Service, url: string, table: string, expected: Expected, timeoutMs: number): Promise<Drain> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = performance.now();
  let firstRow = NaN;
  let peak = 0;
  try {
    for (;;) {
      peak = Math.max(peak, peakRssKb(service.pid));
      if (service.proc.exitCode !== null) throw new Error(`${service.name} exited (${service.proc.exitCode}):\n${tail(service.log)}`);
      const [state] = await sql.unsafe(`SELECT count(*)::bigint AS rows, coalesce(sum(version), 0)::bigint AS sum FROM ${table}`);
      const rows = Number(state!.rows);
      const now = performance.now();
      if (rows > 0 && Number.isNaN(firstRow)) firstRow = now;
      if (rows === expected.rows && Number(state!.sum) === expected.sumVersion) {
        return { firstRowSeconds: (firstRow - started) / 1000, doneSeconds: (now - started) / 1000, peakRssKb: Math.max(peak, peakRssKb(service.pid)) };
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

export async function runSink(options: SinkOptions): Promise<Row[]> {
  const { log } = options;
  const url = await options.db.createDatabase('bench_sink');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(DDL('sink_inlet'));
  await sql.unsafe(DDL('sink_connect'));
  await sql.end();

  await createTopics(options.bootstrap, 3, ['sink-plain', 'sink-schema']);
  log(`sink: filling two topics with ${options.events} upsert events over ${options.keys} keys`);
  const expected = JSON.parse(
    (
      await run(['node', join(ROOT, 'bench', 'tools', 'kafka.mjs'), 'fill-sink', options.bootstrap, String(options.events), String(options.keys), 'sink-plain', 'sink-schema'])
    )
      .trim()
      .split('\n')
      .pop()!,
  ) as Expected;
  const timeoutMs = Math.max(120_000, options.events * 2);

  log('sink: Inlet database-sink draining sink-plain');
  const inlet = await startInlet(
    options.bootstrap,
    options.dir,
    [
      {
        name: 'bench-sink',
        config: {
          'connector.class': 'database-sink',
          topics: 'sink-plain',
          'table.name.format': 'sink_inlet',
          'primary.key.fields': 'id',
          'auto.create': false,
          'connection.url': url,
        },
      },
    ],
    options.inletNodeArgs,
    'inlet-sink',
    url,
  );
  let inletDrain: Drain;
  try {
    inletDrain = await drain(inlet.service, url, 'sink_inlet', expected, timeoutMs);
  } finally {
    await inlet.service.stop();
  }

  log('sink: Kafka Connect + Debezium JDBC sink draining sink-schema');
  const pg = new URL(url);
  const connect = await startConnect(options, `jdbc:postgresql://${pg.host}${pg.pathname}`);
  let connectDrain: Drain;
  try {
    connectDrain = await drain(connect, url, 'sink_connect', expected, timeoutMs);
  } finally {
    await connect.stop();
  }

  const [a, b] = [await tableDigest(url, 'sink_inlet'), await tableDigest(url, 'sink_connect')];
  const equal = a === b;
  log(`sink: final tables ${equal ? 'are equal' : 'DIFFER'} (${expected.rows} rows, md5 ${a}${equal ? '' : ` vs ${b}`})`);

  const rate = (d: Drain) => expected.events / Math.max(0.001, d.doneSeconds - d.firstRowSeconds);
  const label = `${expected.events.toLocaleString('en-US')} upserts / ${expected.rows.toLocaleString('en-US')} keys`;
  const note = (d: Drain) => `drained in ${d.doneSeconds.toFixed(1)} s from start (first row at ${d.firstRowSeconds.toFixed(1)} s)${equal ? '; tables equal' : '; TABLES DIFFER'}`;
  const connectRate = rate(connectDrain);
  return [
    { scenario: 'sink', case: label, contender: INLET, eventsPerSec: rate(inletDrain), peakRssMb: inletDrain.peakRssKb / 1024, vsBaseline: rate(inletDrain) / connectRate, note: note(inletDrain) },
    { scenario: 'sink', case: label, contender: CONNECT, eventsPerSec: connectRate, peakRssMb: connectDrain.peakRssKb / 1024, vsBaseline: 1, note: note(connectDrain) },
  ];
}
