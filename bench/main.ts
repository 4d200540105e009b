// bench/run's driver (Bun): own Kafka and PostgreSQL, the scenarios, one markdown table, and a
// dated section appended to bench/RESULTS.md. See bench/README.md.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startKafka, startPostgres, pgBin, type Broker, type Database } from './lib/infra.ts';
import { DENO, inletName, profileInletWorkers, RUNTIMES, type Runtime } from './lib/inlet.ts';
import { ROOT, run, stopAll } from './lib/proc.ts';
import { markdownTable, type Row } from './lib/results.ts';
import { runE2e, splitName } from './scenarios/e2e.ts';
import { BENTHOS, BUN_NO_WINDOW, EXPRESS, RAW, runIngest } from './scenarios/ingest.ts';
import { CONNECT, PG_BOUND, runSink } from './scenarios/sink.ts';
import { runSoak } from './scenarios/soak.ts';

type Scenario = 'ingest' | 'sink' | 'e2e' | 'soak';
const SCENARIOS: Scenario[] = ['ingest', 'sink', 'e2e', 'soak'];
/** What a plain `bench/run` runs; the soak (minutes of load) only when asked for. */
const DEFAULT_SCENARIOS: Scenario[] = ['ingest', 'sink', 'e2e'];

function parseArgs(argv: string[]) {
  let quick = false;
  let only: Scenario[] = DEFAULT_SCENARIOS;
  let record = true;
  let profile = false;
  let runtimes: Runtime[] = [...RUNTIMES];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--runtimes' || arg.startsWith('--runtimes=')) {
      const value = arg.includes('=') ? arg.split('=')[1]! : argv[++i] ?? '';
      runtimes = value.split(',').map((s) => s.trim()) as Runtime[];
      const bad = runtimes.filter((r) => !RUNTIMES.includes(r));
      if (bad.length) throw new Error(`unknown runtime ${bad.join(', ')}: use ${RUNTIMES.join('|')}`);
    }
    else if (arg === '--no-record') record = false;
    else if (arg === '--profile') profile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.split('=')[1]! : argv[++i] ?? '';
      only = value.split(',').map((s) => s.trim()) as Scenario[];
      const bad = only.filter((s) => !SCENARIOS.includes(s));
      if (bad.length) throw new Error(`unknown scenario ${bad.join(', ')}: use ${SCENARIOS.join('|')}`);
    } else throw new Error(`unknown option ${arg}`);
  }
  return { quick, only, record, profile, runtimes };
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
    `- Inlet: git ${process.env.BENCH_INLET_REV ?? 'working tree'}; on Node the worker runs from a \`bun build --target=node\` bundle, on Bun and Deno from src/main.ts of the same tree (librdkafka over FFI, Bun.serve / Deno.serve)`,
    `- machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `- ${await version(['uname', '-sr'])}; ${await version(['bash', '-c', '. /etc/os-release && echo "$PRETTY_NAME"'])}`,
    `- node ${process.versions.node ? await version(['node', '-v']) : '?'}, bun ${Bun.version}, ${await version([DENO, '--version'], (s) => s.split('\n')[0]?.split(' (')[0] ?? '?')}, librdkafka ${await version(['node', '-p', "require('@confluentinc/kafka-javascript').librdkafkaVersion"])} (@confluentinc/kafka-javascript ${await version(['node', '-p', "require('@confluentinc/kafka-javascript/package.json').version"])}), kafkajs ${await version(['node', '-p', "require('kafkajs/package.json').version"])}, express ${await version(['node', '-p', "require('express/package.json').version"])}`,
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
  if (options.profile) profileInletWorkers(join(dir, 'profiles'));
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
  const soakVerdicts: string[] = [];
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
    if (options.only.some((s) => s !== 'ingest')) {
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
          runtimes: options.runtimes,
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
          // Deno is an ingest contender only (issue 15).
          runtimes: options.runtimes.filter((r) => r !== 'deno'),
          log,
        })),
      ));
    }
    if (options.only.includes('e2e')) {
      for (const runtime of options.runtimes.filter((r) => r !== 'deno')) {
        await guarded(`e2e on ${runtime}`, async () => {
          // Half of this runtime's own peak. BENCH_E2E_RATE pins the rate (pushes/s) to compare two builds at the same load.
          let peak = Number(process.env.BENCH_E2E_RATE ?? 0) * 2 || Math.max(0, ...rows.filter((r) => r.scenario === 'ingest' && r.contender === inletName(runtime) && r.case.startsWith('1 ev/req')).map((r) => r.reqPerSec ?? 0));
          if (peak === 0) {
            log(`e2e: measuring ${inletName(runtime)}'s peak single-event rate first (ingest, c=64)`);
            const probe = await runIngest({ bootstrap, dir, seconds: 5, concurrencies: [64], batches: [1], runtimes: [runtime], log });
            peak = probe.find((r) => r.contender === inletName(runtime))?.reqPerSec ?? 1000;
          }
          for (const workers of [1, 2] as const) {
            rows.push(...(await runE2e({ bootstrap, db: db!, dir, rate: Math.round(peak / 2), seconds: options.quick ? 15 : 60, runtime, workers, log })));
          }
        });
      }
    }
    if (options.only.includes('soak')) {
      await guarded('soak', async () => {
        const soak = await runSoak({ bootstrap, db: db!, dir, records: options.quick ? 100_000 : 1_000_000, runtime: 'bun', log });
        rows.push(...soak.rows);
        soakVerdicts.push(...soak.verdicts);
      });
    }
  } finally {
    await cleanup();
  }

  const table = markdownTable(rows);
  const verdicts = [...targets(rows), ...soakVerdicts, ...failures];
  console.log(`\n${table}\n\n${verdicts.join('\n')}\n`);
  if (options.record) {
    const results = join(ROOT, 'bench', 'RESULTS.md');
    if (!existsSync(results)) appendFileSync(results, '# Benchmark results\n\nAppended by `bench/run`; newest last. See bench/README.md for how to read them.\n');
    const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
    appendFileSync(results, `\n## ${date} UTC, ${mode} (${options.only.join(', ')})\n\n${description.join('\n')}\n\n${table}\n\n${verdicts.join('\n')}\n`);
    log(`appended to ${results}`);
  }
}

const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
const percent = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a');

/** Issue 14's targets (Inlet on Bun), then the other runtimes' standing, checked against this run's rows. */
function targets(rows: readonly Row[]): string[] {
  const out: string[] = ['Targets (issue 14, Inlet on Bun):'];
  const BUN = inletName('bun');
  const NODE = inletName('node');
  const DENO = inletName('deno');
  const find = (scenario: Row['scenario'], c: string | null, who: string) => rows.find((r) => r.scenario === scenario && (c === null || r.case === c) && r.contender === who);
  const events = (c: string, who: string) => find('ingest', c, who)?.eventsPerSec ?? NaN;
  const cases = [...new Set(rows.filter((r) => r.scenario === 'ingest' && r.contender !== DENO).map((r) => r.case))];
  const verdict = (ok: boolean, value: string) => `${ok ? 'met' : 'MISSED'} (${value})`;
  const c64 = '1 ev/req, c=64';
  if (cases.includes(c64)) {
    const vsBenthos = events(c64, BUN) / events(c64, BENTHOS);
    const vsNode = events(c64, BUN) / events(c64, NODE);
    out.push(`- ingest, 1 ev/req, c=64: Bun >= 1.0× Benthos: ${verdict(vsBenthos >= 1, ratio(vsBenthos))}; Bun >= 1.5× Inlet on Node: ${verdict(vsNode >= 1.5, ratio(vsNode))}`);
  }
  const batchCases = cases.filter((c) => c.startsWith('100 ev/req'));
  if (batchCases.length) {
    const each = (other: string, goal: number) => {
      const rs = batchCases.map((c) => [c, events(c, BUN) / events(c, other)] as const);
      return `met in ${rs.filter(([, r]) => r >= goal).length}/${rs.length} (${rs.map(([c, r]) => `${c.split(', ')[1]}: ${ratio(r)}`).join('; ')})`;
    };
    out.push(`- ingest, 100 ev/req: Bun >= 3× Express+KafkaJS: ${each(EXPRESS, 3)}; Bun >= 1.0× Benthos: ${each(BENTHOS, 1)}`);
  }
  for (const c of cases.filter((c) => c.endsWith('c=256'))) {
    const bun = find('ingest', c, BUN)?.p99Ms ?? NaN;
    const benthos = find('ingest', c, BENTHOS)?.p99Ms ?? NaN;
    out.push(`- ingest, ${c}, p99 no worse than Benthos's: ${verdict(bun <= benthos, `Bun ${bun.toFixed(1)} ms, Benthos ${benthos.toFixed(1)} ms`)}`);
  }
  const split = find('e2e', null, splitName('bun'));
  if (split) out.push(`- e2e, push-to-row p99 < 50 ms at half of Bun's peak (${split.case.split(' at ')[1]?.replace(' (½ peak)', '')}), ingest worker + sink worker: ${verdict((split.p99Ms ?? Infinity) < 50, `${split.p99Ms?.toFixed(1)} ms`)}`);
  const sink = (who: string) => find('sink', null, who)?.eventsPerSec ?? NaN;
  if (find('sink', null, BUN)) {
    const vsNode = sink(BUN) / sink(NODE);
    const ofBound = sink(BUN) / sink(PG_BOUND);
    out.push(`- sink rows/s: Bun >= Inlet on Node: ${verdict(vsNode >= 1, ratio(vsNode))}; Bun >= 90% of PostgreSQL's INSERT…SELECT…ON CONFLICT bound: ${verdict(ofBound >= 0.9, percent(ofBound))}`);
  }

  const others: string[] = [];
  for (const who of [NODE, DENO]) {
    const measured = cases.filter((c) => Number.isFinite(events(c, who)));
    if (!measured.length) continue;
    others.push(`- ingest, ${who} vs Benthos: ${measured.map((c) => `${c}: ${ratio(events(c, who) / events(c, BENTHOS))}`).join('; ')}`);
    others.push(`- ingest, ${who} vs Express+KafkaJS: ${measured.map((c) => `${c}: ${ratio(events(c, who) / events(c, EXPRESS))}`).join('; ')}`);
  }
  const noWindow = cases.filter((c) => Number.isFinite(events(c, BUN_NO_WINDOW)));
  if (noWindow.length) {
    others.push(`- ingest, ${BUN_NO_WINDOW}, vs Inlet on Bun: ${noWindow.map((c) => `${c}: ${ratio(events(c, BUN_NO_WINDOW) / events(c, BUN))}`).join('; ')}`);
    others.push(`- ingest, ${BUN_NO_WINDOW}, vs Benthos: ${noWindow.map((c) => `${c}: ${ratio(events(c, BUN_NO_WINDOW) / events(c, BENTHOS))}`).join('; ')}`);
  }
  const deno = rows.filter((r) => r.contender === DENO && r.scenario === 'ingest' && Number.isFinite(r.eventsPerSec));
  if (deno.length) others.push(`- ingest, Inlet on Deno vs Inlet on Bun (no target): ${deno.map((r) => `${r.case}: ${ratio(r.eventsPerSec / events(r.case, BUN))}`).join('; ')}`);
  const rawCases = cases.filter((c) => Number.isFinite(events(c, RAW)));
  if (rawCases.length) others.push(`- ingest, share of raw librdkafka (Node / Bun): ${rawCases.map((c) => `${c}: ${percent(events(c, NODE) / events(c, RAW))} / ${percent(events(c, BUN) / events(c, RAW))}`).join('; ')}`);
  if (find('sink', null, CONNECT)) {
    others.push(`- sink rows/s vs Kafka Connect (Node / Bun): ${ratio(sink(NODE) / sink(CONNECT))} / ${ratio(sink(BUN) / sink(CONNECT))}; Node at ${percent(sink(NODE) / sink(PG_BOUND))} of PostgreSQL's bound`);
    const rss = (who: string) => find('sink', null, who)?.peakRssMb ?? NaN;
    others.push(`- sink peak RSS vs Kafka Connect's (Node / Bun): ${percent(rss(NODE) / rss(CONNECT))} / ${percent(rss(BUN) / rss(CONNECT))}`);
  }
  for (const e2e of rows.filter((r) => r.scenario === 'e2e' && r.contender !== splitName('bun'))) {
    others.push(`- e2e (${e2e.contender}, ${e2e.case.split(' at ')[1]}), push-to-row p99: ${e2e.p99Ms?.toFixed(1)} ms`);
  }
  if (others.length) out.push('', 'Other ratios:', ...others);
  return out.length > 1 ? out : [];
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  await stopAll();
  process.exit(1);
});
