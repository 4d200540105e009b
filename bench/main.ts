// bench/run's driver (Bun): own Kafka and PostgreSQL, the scenarios, one markdown table, and a
// dated section appended to bench/RESULTS.md. See bench/README.md.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startKafka, startPostgres, pgBin, type Broker, type Database } from './lib/infra.ts';
import { ROOT, run, stopAll } from './lib/proc.ts';
import { markdownTable, type Row } from './lib/results.ts';
import { runE2e } from './scenarios/e2e.ts';
import { BENTHOS, EXPRESS, INLET, RAW, runIngest } from './scenarios/ingest.ts';
import { CONNECT, runSink } from './scenarios/sink.ts';

type Scenario = 'ingest' | 'sink' | 'e2e';
const SCENARIOS: Scenario[] = ['ingest', 'sink', 'e2e'];

function parseArgs(argv: string[]) {
  let quick = false;
  let only: Scenario[] = SCENARIOS;
  let record = true;
  let profile = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--no-record') record = false;
    else if (arg === '--profile') profile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.split('=')[1]! : argv[++i] ?? '';
      only = value.split(',').map((s) => s.trim()) as Scenario[];
      const bad = only.filter((s) => !SCENARIOS.includes(s));
      if (bad.length) throw new Error(`unknown scenario ${bad.join(', ')}: use ${SCENARIOS.join('|')}`);
    } else throw new Error(`unknown option ${arg}`);
  }
  return { quick, only, record, profile };
}

async function version(cmd: string[], pick: (out: string) => string = (s) => s.trim().split('\n')[0] ?? ''): Promise<string> {
  return run(cmd)
    .then(pick)
    .catch(() => 'unknown');
}

async function machine(): Promise<string[]> {
  const pom = readFileSync(join(ROOT, 'bench', 'connect', 'pom.xml'), 'utf8');
  const kafka = /KAFKA_VERSION=(\S+)/.exec(readFileSync(join(ROOT, 'scripts', 'kafka.sh'), 'utf8'))?.[1] ?? '?';
  const cpu = cpus();
  return [
    `- Inlet: git ${process.env.BENCH_INLET_REV ?? 'working tree'}, worker on Node from a \`bun build --target=node\` bundle`,
    `- machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `- ${await version(['uname', '-sr'])}; ${await version(['bash', '-c', '. /etc/os-release && echo "$PRETTY_NAME"'])}`,
    `- node ${process.versions.node ? await version(['node', '-v']) : '?'}, bun ${Bun.version}, librdkafka ${await version(['node', '-p', "require('@confluentinc/kafka-javascript').librdkafkaVersion"])} (@confluentinc/kafka-javascript ${await version(['node', '-p', "require('@confluentinc/kafka-javascript/package.json').version"])}), kafkajs ${await version(['node', '-p', "require('kafkajs/package.json').version"])}, express ${await version(['node', '-p', "require('express/package.json').version"])}`,
    `- Apache Kafka ${kafka} (broker, KRaft, one node, loopback); ${await version([join(ROOT, '.cache', 'bench', 'bin', 'benthos'), '--version'], (s) => `Benthos ${/Version: (\S+)/.exec(s)?.[1] ?? '?'}`)} (kafka_franz, http_server)`,
    `- Kafka Connect ${/<kafka.version>([^<]+)/.exec(pom)?.[1]} standalone + Debezium JDBC sink ${/<debezium.version>([^<]+)/.exec(pom)?.[1]}, ${await version(['bash', '-c', 'java -version 2>&1'], (s) => s.split('\n')[0] ?? '')}`,
    `- ${await version([pgBin('postgres'), '--version'])}; ${await version(['bash', '-c', 'wrk -v 2>&1 || true'], (s) => s.split('\n')[0]?.split(' [')[0] ?? '')}`,
  ];
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(ROOT, '.cache', 'bench', 'runs', stamp);
  mkdirSync(dir, { recursive: true });
  const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const mode = options.quick ? 'quick' : 'full';
  const inletNodeArgs = [...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profiles')}`] : []), ...(process.env.BENCH_INLET_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  log(`bench ${mode}: ${options.only.join(', ')}; logs in ${dir}`);
  const description = await machine();

  let broker: Broker | undefined;
  let db: Database | undefined;
  const cleanup = async () => {
    await stopAll();
    await broker?.stop();
    await db?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const rows: Row[] = [];
  const failures: string[] = [];
  // A failed scenario is reported and the others still run: a partial table beats none.
  const guarded = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${name} FAILED: ${message}`);
      failures.push(`- ${name} FAILED: ${message.split('\n')[0]} (logs in ${dir})`);
      await stopAll();
    }
  };
  try {
    broker = await startKafka(dir);
    const bootstrap = broker.bootstrap;
    log(`kafka on ${bootstrap}`);
    if (options.only.includes('sink') || options.only.includes('e2e')) {
      db = await startPostgres(dir);
      log(`postgres on ${db.url}`);
    }
    if (options.only.includes('ingest')) {
      await guarded('ingest', async () => rows.push(
        ...(await runIngest({
          bootstrap,
          dir,
          seconds: options.quick ? 5 : 15,
          concurrencies: [16, 64, 256],
          batches: [1, 100],
          inletNodeArgs,
          log,
        })),
      ));
    }
    if (options.only.includes('sink')) {
      await guarded('sink', async () => rows.push(
        ...(await runSink({
          bootstrap,
          db: db!,
          dir,
          events: options.quick ? 100_000 : 1_000_000,
          keys: options.quick ? 10_000 : 100_000,
          inletNodeArgs,
          log,
        })),
      ));
    }
    if (options.only.includes('e2e')) await guarded('e2e', async () => {
      // BENCH_E2E_RATE pins the rate (pushes/s) to compare two builds at the same load.
      let peak = Number(process.env.BENCH_E2E_RATE ?? 0) * 2 || Math.max(0, ...rows.filter((r) => r.scenario === 'ingest' && r.contender === INLET && r.case.startsWith('1 ev/req')).map((r) => r.reqPerSec ?? 0));
      if (peak === 0) {
        log('e2e: measuring Inlet peak single-event rate first (ingest, c=64)');
        const probe = await runIngest({ bootstrap, dir, seconds: 5, concurrencies: [64], batches: [1], inletNodeArgs: [], log });
        peak = probe.find((r) => r.contender === INLET)?.reqPerSec ?? 1000;
      }
      for (const workers of [1, 2] as const) {
        rows.push(...(await runE2e({ bootstrap, db: db!, dir, rate: Math.round(peak / 2), seconds: options.quick ? 15 : 60, inletNodeArgs, workers, log })));
      }
    });
  } finally {
    await cleanup();
  }

  const table = markdownTable(rows);
  const verdicts = [...targets(rows), ...failures];
  console.log(`\n${table}\n\n${verdicts.join('\n')}\n`);
  if (options.record) {
    const results = join(ROOT, 'bench', 'RESULTS.md');
    if (!existsSync(results)) appendFileSync(results, '# Benchmark results\n\nAppended by `bench/run`; newest last. See bench/README.md for how to read them.\n');
    const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
    appendFileSync(results, `\n## ${date} UTC, ${mode} (${options.only.join(', ')})\n\n${description.join('\n')}\n\n${table}\n\n${verdicts.join('\n')}\n`);
    log(`appended to ${results}`);
  }
}

/** The issue's targets, checked against this run's rows. */
function targets(rows: readonly Row[]): string[] {
  const out: string[] = ['Targets:'];
  const ingestCases = [...new Set(rows.filter((r) => r.scenario === 'ingest').map((r) => r.case))];
  if (ingestCases.length) {
    const by = (c: string, who: string) => rows.find((r) => r.case === c && r.contender === who)?.eventsPerSec ?? NaN;
    const ratios = ingestCases.map((c) => ({
      c,
      express: by(c, INLET) / by(c, EXPRESS),
      benthos: by(c, INLET) / by(c, BENTHOS),
      raw: by(c, INLET) / by(c, RAW),
    }));
    const line = (name: string, key: 'express' | 'benthos' | 'raw', goal: number, unit: (n: number) => string) => {
      const met = ratios.filter((r) => r[key] >= goal).length;
      out.push(`- ingest, Inlet ${name}: met in ${met}/${ratios.length} cases (${ratios.map((r) => `${r.c}: ${unit(r[key])}`).join('; ')})`);
    };
    line('>= 3x Express+KafkaJS', 'express', 3, (n) => `${n.toFixed(2)}×`);
    line('>= Benthos/Redpanda Connect', 'benthos', 1, (n) => `${n.toFixed(2)}×`);
    line('>= 50% of raw librdkafka', 'raw', 0.5, (n) => `${Math.round(n * 100)}%`);
  }
  const inletSink = rows.find((r) => r.scenario === 'sink' && r.contender === INLET);
  const connectSink = rows.find((r) => r.scenario === 'sink' && r.contender === CONNECT);
  if (inletSink && connectSink) {
    const speed = inletSink.eventsPerSec / connectSink.eventsPerSec;
    const rss = (inletSink.peakRssMb ?? NaN) / (connectSink.peakRssMb ?? NaN);
    out.push(`- sink, Inlet >= 1.5x Kafka Connect rows/s: ${speed >= 1.5 ? 'met' : 'MISSED'} (${speed.toFixed(2)}×)`);
    out.push(`- sink, Inlet peak RSS <= 1/4 of Kafka Connect's: ${rss <= 0.25 ? 'met' : 'MISSED'} (${(rss * 100).toFixed(0)}%)`);
  }
  for (const e2e of rows.filter((r) => r.scenario === 'e2e')) {
    out.push(`- e2e (${e2e.contender}), push-to-row p99 < 50 ms at half peak: ${(e2e.p99Ms ?? Infinity) < 50 ? 'met' : 'MISSED'} (${e2e.p99Ms?.toFixed(1)} ms)`);
  }
  return out;
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  await stopAll();
  process.exit(1);
});
