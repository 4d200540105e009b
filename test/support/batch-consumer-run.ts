// Runs a BatchConsumer (under Node on the addon, under Bun on the FFI backend) for a test:
// produces RECORDS records to a new one-partition topic, consumes them in batches of up to
// MAX_BATCH, fails the first batch holding offset FAIL_OFFSET once, and prints one JSON line per
// batch handed out ({first, last, failed}) until every offset has been handled.
import { ensureTopics } from '../../src/kafka/admin.ts';
import { BatchConsumer } from '../../src/kafka/consumer.ts';
import { connectProducer, deliveryReports, produceAll } from '../../src/kafka/produce.ts';
import { createLogger } from '../../src/runtime/logger.ts';

// stdout carries the batches: the consumer's own lines go to stderr.
const log = await createLogger({ level: 'info', pretty: false, destination: { write: (line: string) => process.stderr.write(line) } });

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const brokers = env('KAFKA_BROKERS');
const topic = env('TOPIC');
const records = Number(env('RECORDS'));
const maxBatchSize = Number(env('MAX_BATCH'));
const failOffset = Number(env('FAIL_OFFSET'));

await ensureTopics(brokers, [{ name: topic, partitions: 1 }], log);
const producer = await connectProducer({ brokers, deliveryTimeoutMs: 30_000, queueMaxMessages: 100_000, lingerMs: 5, log });
deliveryReports(producer);
const outcomes = await produceAll(
  producer,
  Array.from({ length: records }, (_, i) => ({ topic, key: null, value: String(i), headers: {} })),
);
if (outcomes.some((o) => !o.delivered)) throw new Error(`producing failed: ${JSON.stringify(outcomes.find((o) => !o.delivered))}`);
await new Promise<void>((resolve) => producer.disconnect(() => resolve()));

const utf8 = new TextDecoder();
let failed = false;
let handled = 0;
let finish!: () => void;
const done = new Promise<void>((resolve) => (finish = resolve));
const consumer = new BatchConsumer({
  brokers,
  groupId: `seek-back-${topic}`,
  clientId: 'seek-back-test',
  topics: [topic],
  maxBatchSize,
  sessionTimeoutMs: 10_000,
  startPositions: async () => new Map(),
  log,
  handleBatch: async ({ records: batch }) => {
    const first = batch[0]!.offset;
    const last = batch.at(-1)!.offset;
    const fail = !failed && first <= failOffset && failOffset <= last;
    console.log(JSON.stringify({ first, last, values: batch.map((r) => (r.value ? utf8.decode(r.value) : null)), failed: fail }));
    if (fail) {
      failed = true;
      throw new Error('failing this batch once');
    }
    handled += batch.length;
    if (batch.some((r) => r.offset === records - 1)) finish();
  },
});
await consumer.start();
const deadline = setTimeout(() => {
  console.error(`gave up: ${handled} of ${records} records handled`);
  process.exit(1);
}, 60_000);
await done;
clearTimeout(deadline);
await consumer.stop();
