// Ingest: 1 KiB JSON events over HTTP into Kafka (acks=all, idempotent), 200 only after Kafka
// acknowledged. Every contender runs at the same time (idle while another is loaded) and the cells
// are interleaved, so a noisy neighbour hits all of them alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTopics } from '../lib/infra.ts';
import { writeBodies } from '../lib/payload.ts';
import { freePort, peakRssKb, resetPeakRss, ROOT, run, startService, waitHttp, type Service } from '../lib/proc.ts';
import type { Row } from '../lib/results.ts';
import { wrk } from '../lib/wrk.ts';

export interface IngestOptions {
  bootstrap: string;
  dir: string;
  seconds: number;
  concurrencies: number[];
  batches: number[];
  /** Extra node flags for the Inlet worker, e.g. --cpu-prof. */
  inletNodeArgs: string[];
  log: (line: string) => void;
}

interface HttpContender {
  name: string;
  service: Service;
  url(batch: number): string;
}

export const INLET = 'Inlet';
export const EXPRESS = 'Express+KafkaJS (baseline)';
export const BENTHOS = 'Benthos/Redpanda Connect';
export const RAW = 'raw librdkafka (upper bound)';

export async function startInlet(
  bootstrap: string,
  dir: string,
  connectors: unknown[],
  nodeArgs: string[],
  name = 'inlet',
  dbUrl?: string,
  extra: { group?: string; env?: Record<string, string> } = {},
): Promise<{ service: Service; port: number }> {
  const port = await freePort();
  const config = join(dir, `${name}-connectors.json`);
  writeFileSync(config, JSON.stringify({ connectors }, null, 2));
  const service = startService(name, ['node', ...nodeArgs, process.env.BENCH_INLET_BUNDLE ?? join(ROOT, 'dist', 'main.js')], {
    logDir: dir,
    env: {
      INLET_PORT: String(port),
      KAFKA_BROKERS: bootstrap,
      INLET_CONFIG: config,
      // A cluster of its own: in the default group a later worker would also run (and restore
      // the dedupe window of) every connector an earlier scenario's worker left in the config topic.
      INLET_GROUP_ID: extra.group ?? `bench-${name}`,
      INLET_DB_URL: dbUrl ?? `sqlite:${join(dir, `${name}.db`)}`,
      ...extra.env,
    },
  });
  await waitHttp(service, `http://127.0.0.1:${port}/health`);
  return { service, port };
}

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

async function startContenders(options: IngestOptions): Promise<HttpContender[]> {
  const { bootstrap, dir } = options;
  const inlet = await startInlet(
    bootstrap,
    dir,
    [{ name: 'bench', config: { 'connector.class': 'webhook', topic: 'bench-ingest-inlet' } }],
    options.inletNodeArgs,
  );

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
    { name: INLET, service: inlet.service, url: () => `http://127.0.0.1:${inlet.port}/ingest/bench` },
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
  await createTopics(options.bootstrap, 3, ['bench-ingest-inlet', 'bench-ingest-express', 'bench-ingest-benthos', 'bench-ingest-raw']);
  const bodies = writeBodies(options.dir, Math.max(...options.batches));
  const bodyFor = (batch: number) => (batch === 1 ? bodies.single : bodies.batch);
  const contenders = await startContenders(options);
  const rows: Row[] = [];
  try {
    log('ingest: warming up every contender');
    for (const c of contenders) for (const b of options.batches) await wrk(c.url(b), bodyFor(b), 32, 2);

    for (const batch of options.batches) {
      for (const concurrency of options.concurrencies) {
        const label = `${batch} ev/req, c=${concurrency}`;
        const cell: Row[] = [];
        for (const c of contenders) {
          resetPeakRss(c.service.pid);
          const r = await wrk(c.url(batch), bodyFor(batch), concurrency, options.seconds);
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
            ...(r.errors ? { note: `${r.errors} errors` } : {}),
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
