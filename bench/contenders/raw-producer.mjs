// UPPER BOUND: the librdkafka client Inlet uses (@confluentinc/kafka-javascript), with Inlet's
// producer settings (src/kafka/producer.ts), producing the same events with no HTTP at all.
// `concurrency` virtual clients each produce `batch` events and wait for all their delivery
// reports before the next round: the closed loop a load generator drives over HTTP, minus HTTP.
//
//   node bench/contenders/raw-producer.mjs BROKERS TOPIC CONCURRENCY BATCH SECONDS BODY_FILE
// Prints one JSON line: {requests, events, seconds, p50Ms, p99Ms, peakRssKb}.
import Kafka from '@confluentinc/kafka-javascript';
import { readFileSync, writeFileSync } from 'node:fs';

const [brokers, topic, concurrencyArg, batchArg, secondsArg, bodyFile] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const batch = Number(batchArg);
const seconds = Number(secondsArg);
const value = Buffer.from(readFileSync(bodyFile, 'utf8').trim());

const producer = new Kafka.Producer({
  'bootstrap.servers': brokers,
  'client.id': 'bench-raw',
  'enable.idempotence': true,
  acks: -1,
  'linger.ms': 0.5,
  'batch.num.messages': 10000,
  'compression.type': 'lz4',
  'message.timeout.ms': 8000,
  'queue.buffering.max.messages': 200000,
  dr_cb: true,
});
await new Promise((resolve, reject) => producer.connect({ timeout: 30000 }, (e) => (e ? reject(e) : resolve())));
producer.setPollInBackground(true);

let failures = 0;
producer.on('delivery-report', (error, report) => {
  if (error) failures++;
  report.opaque();
});

const latencies = [];
let requests = 0;
let measuring = false;
let stopping = false;

function round() {
  return new Promise((resolve) => {
    let remaining = batch;
    const done = () => {
      if (--remaining === 0) resolve();
    };
    for (let i = 0; i < batch; i++) producer.produce(topic, null, value, undefined, Date.now(), done);
  });
}

async function client() {
  while (!stopping) {
    const start = performance.now();
    await round();
    if (measuring) {
      latencies.push(performance.now() - start);
      requests++;
    }
  }
}

const clients = Array.from({ length: concurrency }, () => client());
await new Promise((r) => setTimeout(r, 1000)); // warm-up: connections, first batches
try {
  writeFileSync('/proc/self/clear_refs', '5'); // reset the peak-RSS mark (VmHWM)
} catch {}
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - start) / 1000;
stopping = true;
await Promise.all(clients);
const peakRssKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({ requests, events: requests * batch, seconds: elapsed, p50Ms: pct(50), p99Ms: pct(99), peakRssKb, failures }));
await new Promise((resolve) => producer.disconnect(() => resolve()));
process.exit(0);
