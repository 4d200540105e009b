// Runs under Deno (test/e2e/ffi-deno.test.ts starts it): produces through the FFI backend opened
// with Deno.dlopen and prints, as one JSON line, what each message came to: its delivery report
// (error code and offset) or the error code produce threw. Standard input: { bootstrap, batches }.
import process from 'node:process';
import { loadFfiBackend, type ClientConfig, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { produceEach, type ProduceOutcome, type TestMessage } from './ffi-produce-each.ts';

interface Batch {
  config: ClientConfig;
  /** With a transactional.id in config: the batch is one transaction, committed or aborted. */
  transaction?: 'commit' | 'abort';
  messages: TestMessage[];
}

const decoder = new TextDecoder();
let input = '';
for await (const chunk of process.stdin) input += decoder.decode(chunk as Uint8Array, { stream: true });
const { bootstrap, batches, createTopics = [] } = JSON.parse(input + decoder.decode()) as {
  bootstrap: string;
  batches: Batch[];
  /** Created first, through the FFI admin client. */
  createTopics?: { topic: string; partitions: number }[];
};
const call = (fn: (cb: (error: KafkaError | null) => void) => void) => new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
const backend = await loadFfiBackend();

async function produce({ config, messages, transaction }: Batch): Promise<ProduceOutcome[]> {
  const producer = new backend.Producer({ 'bootstrap.servers': bootstrap, log_level: 0, ...config, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  if (transaction) {
    await call((cb) => producer.initTransactions(30_000, cb));
    await call((cb) => producer.beginTransaction(cb));
  }
  const { outcomes, reported } = produceEach(producer, messages);
  if (transaction === 'commit') await call((cb) => producer.commitTransaction(30_000, cb));
  if (transaction === 'abort') await call((cb) => producer.abortTransaction(30_000, cb));
  await reported;
  const flushed = await new Promise<KafkaError | null>((resolve) => producer.flush(30_000, (error) => resolve(error)));
  if (flushed) throw flushed;
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return outcomes;
}

if (createTopics.length > 0) {
  const admin = backend.AdminClient.create({ 'bootstrap.servers': bootstrap, log_level: 0 });
  for (const { topic, partitions } of createTopics) await call((cb) => admin.createTopic({ topic, num_partitions: partitions, replication_factor: 1 }, 10_000, cb));
  admin.disconnect();
}
const results: ProduceOutcome[][] = [];
for (const batch of batches) results.push(await produce(batch));
console.log(JSON.stringify({ librdkafka: backend.librdkafkaVersion, codes: backend.CODES.ERRORS, results }));
