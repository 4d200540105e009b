// Ingest: 1 KiB JSON events over HTTP into Kafka (acks=all, idempotent), 200 only after Kafka
// acknowledged. Every contender runs at the same time (idle while another is loaded) and the cells
// are interleaved, so a noisy neighbour hits all of them alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeProcessCpu, processTicks } from '../lib/cpu.ts';
import { createTopics } from '../lib/infra.ts';
import { writeBodies } from '../lib/payload.ts';
import { inletName, startInlet, type Runtime } from '../lib/inlet.ts';
import { freePort, peakRssKb, resetPeakRss, ROOT, run, startService, waitHttp, type Service } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';
import { wrk } from '../lib/wrk.ts';

export interface IngestOptions {
  bootstrap: string;
  dir: string;
  seconds: number;
  concurrencies: number[];
  batches: number[];
  /** The runtimes Inlet runs on as contenders; Deno is skipped, with a note, when it cannot start. */
  runtimes: readonly Runtime[];
  log: (line: string) => void;
}

interface HttpContender {
  name: string;
  service: Service;
  url(batch: number): string;
}

export const EXPRESS = 'Express+KafkaJS (baseline)';
export const BENTHOS = 'Benthos/Redpanda Connect';
export const RAW = 'raw librdkafka (upper bound)';
export const BUN_NO_WINDOW = 'Inlet on Bun, dedupe window off';
const NO_WINDOW_TOPIC = 'bench-ingest-inlet-bun-nowindow';

function benthosConfig(port: number, bootstrap: string, topic: string): string {
  // One service-wide HTTP server; /single passes the body on as one message, /batch splits the
  // JSON array into one message per event. The response waits for kafka_franz's acknowledgement.
  const input = (path: string, processors: string) => `      - http_server:
          path: ${path}
          allowed_verbs: [ POST ]
          timeout: 10s
          sync_response:
            status: "200"
${processors}`;
  return `http:
  enabled: true
  address: 127.0.0.1:${port}
input:
  broker:
    inputs:
${input('/single', '')}
${input('/batch', '        processors:\n          - unarchive:\n              format: json_array\n')}
output:
  kafka_franz:
    seed_brokers: [ "${bootstrap}" ]
    topic: ${topic}
    idempotent_write: true
    compression: lz4
    max_in_flight: 256
logger:
  level: WARN
`;
}

const topicFor = (runtime: Runtime) => `bench-ingest-inlet-${runtime}`;

async function startContenders(options: IngestOptions, skipped: Row[]): Promise<HttpContender[]> {
  const { bootstrap, dir } = options;
  const inlets: HttpContender[] = [];
  for (const runtime of options.runtimes) {
    const start = startInlet({
      runtime,
      bootstrap,
      dir,
      name: `inlet-${runtime}`,
      connectors: [{ name: 'bench', config: { 'connector.class': 'webhook', topic: topicFor(runtime) } }],
      ...(runtime === 'deno' ? { timeoutMs: 60_000 } : {}),
    });
    if (runtime !== 'deno') {
      const inlet = await start;
      inlets.push({ name: inletName(runtime), service: inlet.service, url: () => `http://127.0.0.1:${inlet.port}/ingest/bench` });
      continue;
    }
    // The worker on Deno is new: when `deno run src/main.ts` cannot start one, the run goes on
    // without it and says why.
    try {
      const inlet = await start;
      inlets.push({ name: inletName(runtime), service: inlet.service, url: () => `http://127.0.0.1:${inlet.port}/ingest/bench` });
    } catch (error) {
      const reason = firstLines(error instanceof Error ? error.message : String(error));
      options.log(`ingest: ${inletName('deno')} skipped: ${reason}`);
      skipped.push({ scenario: 'ingest', case: 'every cell', contender: inletName('deno'), eventsPerSec: NaN, note: `skipped: \`deno run src/main.ts\` did not start a worker (${reason}); log in the run's inlet-deno.log` });
    }
  }

  // Inlet on Bun without its dedupe window: what the window's tail (each worker reads back every
  // record of its source topics, src/runtime/source-tail.ts) costs, measured beside the default.
  if (options.runtimes.includes('bun')) {
    const inlet = await startInlet({
      runtime: 'bun',
      bootstrap,
      dir,
      name: 'inlet-bun-nowindow',
      connectors: [{ name: 'bench', config: { 'connector.class': 'webhook', topic: NO_WINDOW_TOPIC, 'dedupe.window.ms': 0 } }],
    });
    inlets.push({ name: BUN_NO_WINDOW, service: inlet.service, url: () => `http://127.0.0.1:${inlet.port}/ingest/bench` });
  }

  const expressPort = await freePort();
  const express = startService('express-kafkajs', ['node', join(ROOT, 'bench', 'contenders', 'express-kafkajs.mjs')], {
    logDir: dir,
    env: { PORT: String(expressPort), KAFKA_BROKERS: bootstrap, TOPIC: 'bench-ingest-express' },
  });
  await waitHttp(express, `http://127.0.0.1:${expressPort}/health`);

  const benthosPort = await freePort();
  const benthosYaml = join(dir, 'benthos.yaml');
  writeFileSync(benthosYaml, benthosConfig(benthosPort, bootstrap, 'bench-ingest-benthos'));
  const benthos = startService('benthos', [join(ROOT, '.cache', 'bench', 'bin', 'benthos'), '-c', benthosYaml], { logDir: dir });
  await waitHttp(benthos, `http://127.0.0.1:${benthosPort}/ready`);

  return [
    ...inlets,
    { name: EXPRESS, service: express, url: () => `http://127.0.0.1:${expressPort}/ingest` },
    { name: BENTHOS, service: benthos, url: (b) => `http://127.0.0.1:${benthosPort}/${b === 1 ? 'single' : 'batch'}` },
  ];
}

async function rawProducer(options: IngestOptions, concurrency: number, batch: number, bodyFile: string) {
  const out = await run([
    'node',
    join(ROOT, 'bench', 'contenders', 'raw-producer.mjs'),
    options.bootstrap,
    'bench-ingest-raw',
    String(concurrency),
    String(batch),
    String(options.seconds),
    bodyFile,
  ]);
  return JSON.parse(out.trim().split('\n').pop()!) as { requests: number; events: number; seconds: number; p50Ms: number; p99Ms: number; peakRssKb: number; failures: number };
}

export async function runIngest(options: IngestOptions): Promise<Row[]> {
  const { log } = options;
  await createTopics(options.bootstrap, 3, [...options.runtimes.map(topicFor), NO_WINDOW_TOPIC, 'bench-ingest-express', 'bench-ingest-benthos', 'bench-ingest-raw']);
  const bodies = writeBodies(options.dir, Math.max(...options.batches));
  const bodyFor = (batch: number) => (batch === 1 ? bodies.single : bodies.batch);
  const rows: Row[] = [];
  const contenders = await startContenders(options, rows);
  try {
    log('ingest: warming up every contender');
    for (const c of contenders) for (const b of options.batches) await wrk(c.url(b), bodyFor(b), 32, 2);

    for (const batch of options.batches) {
      for (const concurrency of options.concurrencies) {
        const label = `${batch} ev/req, c=${concurrency}`;
        const cell: Row[] = [];
        for (const c of contenders) {
          resetPeakRss(c.service.pid);
          const cpuBefore = processTicks(c.service.pid);
          const r = await wrk(c.url(batch), bodyFor(batch), concurrency, options.seconds);
          // Whether the contender's JS (or Go) threads were the limit, or it waited on Kafka.
          const cpu = describeProcessCpu(cpuBefore, processTicks(c.service.pid));
          const reqPerSec = r.okRequests / r.seconds;
          cell.push({
            scenario: 'ingest',
            case: label,
            contender: c.name,
            reqPerSec,
            eventsPerSec: reqPerSec * batch,
            p50Ms: r.p50Ms,
            p99Ms: r.p99Ms,
            peakRssMb: peakRssKb(c.service.pid) / 1024,
            note: `${cpu}${r.errors ? `; ${r.errors} errors` : ''}`,
          });
          log(`ingest ${label} ${c.name}: ${Math.round(reqPerSec * batch)} events/s, p99 ${r.p99Ms.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''}`);
        }
        const raw = await rawProducer(options, concurrency, batch, join(options.dir, 'single.json'));
        cell.push({
          scenario: 'ingest',
          case: label,
          contender: RAW,
          reqPerSec: raw.requests / raw.seconds,
          eventsPerSec: raw.events / raw.seconds,
          p50Ms: raw.p50Ms,
          p99Ms: raw.p99Ms,
          peakRssMb: raw.peakRssKb / 1024,
          note: `no HTTP; ${batch} events per round${raw.failures ? `; ${raw.failures} failed` : ''}`,
        });
        log(`ingest ${label} ${RAW}: ${Math.round(raw.events / raw.seconds)} events/s`);
        const baseline = cell.find((r) => r.contender === EXPRESS)!.eventsPerSec;
        for (const row of cell) row.vsBaseline = baseline > 0 ? row.eventsPerSec / baseline : undefined;
        rows.push(...cell);
      }
    }
  } finally {
    for (const c of contenders) await c.service.stop();
  }
  return rows;
}

/** The gist of a start failure: its first line and the last error line of the worker's log. */
function firstLines(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const logError = lines.slice(1).reverse().find((l) => /error/i.test(l));
  const gist = [lines[0], logError].filter(Boolean).join(': ');
  return gist.length > 300 ? `${gist.slice(0, 300)}…` : gist;
}
