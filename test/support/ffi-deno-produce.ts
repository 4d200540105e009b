// Runs under Deno (test/e2e/ffi-deno.test.ts starts it): produces through the FFI backend opened
// with Deno.dlopen and prints, as one JSON line, what each message came to: its delivery report
// (error code and offset) or the error code produce threw. Standard input: { bootstrap, batches }.
import process from 'node:process';
import { loadFfiBackend, type ClientConfig, type KafkaError } from '../../src/kafka/ffi/index.ts';

interface Batch {
  config: ClientConfig;
  /** With a transactional.id in config: the batch is one transaction, committed or aborted. */
  transaction?: 'commit' | 'abort';
  messages: { topic: string; size?: number; value?: string; key?: string; headers?: Record<string, string>[] }[];
}
type Outcome = { thrown: number } | { reported: number; offset: number; key: string | null };

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

async function produce({ config, messages, transaction }: Batch): Promise<Outcome[]> {
  const producer = new backend.Producer({ 'bootstrap.servers': bootstrap, log_level: 0, ...config, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  if (transaction) {
    await call((cb) => producer.initTransactions(30_000, cb));
    await call((cb) => producer.beginTransaction(cb));
  }
  const outcomes: Outcome[] = new Array(messages.length);
  let pending = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  producer.on('delivery-report', (error: KafkaError | null, report: { opaque?: unknown; offset: number; key?: Uint8Array }) => {
    const key = report.key ? new TextDecoder().decode(report.key) : null;
    outcomes[report.opaque as number] = { reported: error ? error.code : 0, offset: report.offset, key };
    if (--pending === 0) finish();
  });
  messages.forEach((message, index) => {
    const value = message.value !== undefined ? new TextEncoder().encode(message.value) : new Uint8Array(message.size ?? 0).fill(120);
    try {
      producer.produce(message.topic, null, value, message.key ?? null, Date.now(), index, message.headers);
      pending++;
    } catch (error) {
      outcomes[index] = { thrown: (error as KafkaError).code };
    }
  });
  if (transaction === 'commit') await call((cb) => producer.commitTransaction(30_000, cb));
  if (transaction === 'abort') await call((cb) => producer.abortTransaction(30_000, cb));
  if (pending > 0) await done;
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
const results: Outcome[][] = [];
for (const batch of batches) results.push(await produce(batch));
console.log(JSON.stringify({ librdkafka: backend.librdkafkaVersion, codes: backend.CODES.ERRORS, results }));
