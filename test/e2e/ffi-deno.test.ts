import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { loadFfiBackend, type ClientConfig, type FfiBackend, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { kind, produceEach, type ProduceOutcome, type TestMessage } from '../support/ffi-produce-each.ts';
import { committedOffsets, committedValues, endOffsets, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';

// The FFI backend on Deno (Deno.dlopen, a nonblocking rd_kafka_queue_poll loop), driven by a
// script run with `deno run` from the pinned npm package, against the suite's real broker.
const ROOT = join(import.meta.dir, '..', '..');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const PRODUCE = join(ROOT, 'test', 'support', 'ffi-deno-produce.ts');
const CONSUME = join(ROOT, 'test', 'support', 'ffi-deno-consume.ts');
/** All the Deno process needs: librdkafka's sockets and files are native, out of Deno's sight. */
const PERMISSIONS = ['--allow-ffi'];

interface Batch {
  config: ClientConfig;
  transaction?: 'commit' | 'abort';
  messages: TestMessage[];
}
interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
}

let broker: KafkaBroker;
let backend: FfiBackend;

beforeAll(async () => {
  broker = await sharedKafka();
  backend = await loadFfiBackend();
}, 120_000);

async function runDeno(script: string, input: object, permissions = PERMISSIONS): Promise<DenoRun> {
  const argument = JSON.stringify({ bootstrap: broker.bootstrap, ...input });
  const proc = Bun.spawn([DENO, 'run', ...permissions, script], {
    cwd: ROOT,
    stdin: new TextEncoder().encode(argument),
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function denoOutcomes(batches: Batch[]): Promise<ProduceOutcome[][]> {
  return (await denoOutput<{ results: ProduceOutcome[][] }>(PRODUCE, { batches })).results;
}

async function denoOutput<T>(script: string, input: object): Promise<T> {
  const run = await runDeno(script, input);
  if (run.code !== 0) throw new Error(`deno run failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const call = <T>(fn: (cb: (error: KafkaError | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

/** The same messages through the FFI backend on Bun, in this process. */
async function bunOutcomes({ config, messages }: Batch) {
  const producer = new backend.Producer({ 'bootstrap.servers': broker.bootstrap, log_level: 0, ...config, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  const { outcomes, reported } = produceEach(producer, messages);
  await reported;
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return outcomes.map(kind);
}

describe('FFI backend on Deno against a real broker', () => {
  test('1,000 records with keys and headers are all reported delivered, in order, and read back intact', async () => {
    const topic = `ffi-deno-roundtrip-${Date.now()}`;
    const count = 1000;
    const messages: Batch['messages'] = Array.from({ length: count }, (_, i) => ({ topic, value: `{"n":${i},"note":"é✓"}`, key: `k${i}`, headers: [{ 'inlet.source': 'deno' }, { n: String(i) }] as Record<string, string>[] }));
    const [outcomes] = await denoOutcomes([{ config: { 'enable.idempotence': true, acks: -1, 'linger.ms': 1 }, messages }]);
    expect(outcomes).toEqual(Array.from({ length: count }, (_, i) => ({ reported: 0, offset: i, key: `k${i}` })));

    const records = await readRecords(broker, topic, count);
    expect(records).toEqual(messages.map((m, i) => ({ key: `k${i}`, value: m.value!, headers: { 'inlet.source': 'deno', n: String(i) } })));
  }, 120_000);

  test('an oversized message fails with the same code as on Bun, whether librdkafka or the broker refuses it', async () => {
    const topic = `ffi-deno-oversized-${Date.now()}`;
    // Above librdkafka's own message.max.bytes (1,000,000): refused by produce.
    const strict: Batch = { config: { acks: -1 }, messages: [{ topic, size: 10 }, { topic, size: 2_000_000 }] };
    // Allowed by the client, above the broker's limit: refused in the delivery report.
    const lenient: Batch = { config: { 'message.max.bytes': 10_000_000, 'compression.type': 'none' }, messages: [{ topic, size: 2_000_000 }] };
    const [onDeno, onBunStrict, onBunLenient] = await Promise.all([denoOutcomes([strict, lenient]), bunOutcomes(strict), bunOutcomes(lenient)]);
    const tooLarge = backend.CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE;
    expect(onDeno.map((outcomes) => outcomes.map(kind))).toEqual([onBunStrict, onBunLenient]);
    expect(onBunStrict).toEqual([{ reported: 0 }, { thrown: tooLarge }]);
    expect(onBunLenient).toEqual([{ reported: tooLarge }]);
  }, 120_000);

  test('the admin client creates a topic, and transactions commit and abort as on Bun', async () => {
    const topic = `ffi-deno-txn-${Date.now()}`;
    const config = { 'transactional.id': `ffi-deno-txn-${Date.now()}`, 'transaction.timeout.ms': 30_000 };
    const message = (n: string) => ({ topic, value: `{"n":"${n}"}` });
    await denoOutput(PRODUCE, {
      createTopics: [{ topic, partitions: 3 }],
      batches: [
        { config, transaction: 'abort', messages: [message('aborted')] },
        { config, transaction: 'commit', messages: Array.from({ length: 100 }, (_, i) => message(String(i))) },
      ],
    });
    expect([...(await endOffsets(broker, topic)).keys()].sort()).toEqual([0, 1, 2]);
    expect((await committedValues(broker, topic)).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `{"n":"${i}"}`).sort());
  }, 120_000);

  test('a consumer group member reads every record of three partitions in order, with keys and headers, and commits', async () => {
    const topic = `ffi-deno-consume-${Date.now()}`;
    const group = `ffi-deno-group-${Date.now()}`;
    const admin = backend.AdminClient.create({ 'bootstrap.servers': broker.bootstrap, log_level: 0 });
    await call((cb) => admin.createTopic({ topic, num_partitions: 3, replication_factor: 1 }, 10_000, cb));
    admin.disconnect();
    const produced = Array.from({ length: 300 }, (_, i) => ({ partition: i % 3, key: `k${i}`, value: `{"n":${i}}`, headers: [{ n: String(i) }] }));
    const producer = new backend.Producer({ 'bootstrap.servers': broker.bootstrap, 'enable.idempotence': true, 'linger.ms': 1, dr_cb: true, log_level: 0 });
    await call((cb) => producer.connect({ timeout: 30_000 }, cb));
    let pending = produced.length;
    const delivered = new Promise<void>((resolve, reject) =>
      producer.on('delivery-report', (error: KafkaError | null) => (error ? reject(error) : --pending === 0 && resolve())),
    );
    for (const r of produced) producer.produce(topic, r.partition, new TextEncoder().encode(r.value), r.key, Date.now(), undefined, r.headers);
    await delivered;
    await call((cb) => producer.disconnect(cb));

    const { records } = await denoOutput<{ records: { partition: number; offset: number; key: string; value: string; headers: Record<string, string>[] }[] }>(CONSUME, {
      topic,
      group,
      count: produced.length,
    });
    for (const partition of [0, 1, 2]) {
      const read = records.filter((r) => r.partition === partition);
      const expected = produced.filter((r) => r.partition === partition);
      expect(read).toEqual(expected.map((r, offset) => ({ partition, offset, key: r.key, value: r.value, headers: r.headers })));
    }
    expect(await committedOffsets(broker, group)).toEqual(new Map([[0, 100], [1, 100], [2, 100]]));
  }, 120_000);

  test('--allow-ffi is the permission it needs: without it, opening librdkafka is refused', async () => {
    const run = await runDeno(PRODUCE, { batches: [] }, []);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--allow-ffi');
  }, 60_000);
});
