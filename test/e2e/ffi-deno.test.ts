import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { loadFfiBackend, type ClientConfig, type FfiBackend, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';

// The FFI backend on Deno (Deno.dlopen, a nonblocking rd_kafka_queue_poll loop), driven by a
// script run with `deno run` from the pinned npm package, against the suite's real broker.
const ROOT = join(import.meta.dir, '..', '..');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const SCRIPT = join(ROOT, 'test', 'support', 'ffi-deno-produce.ts');
/** All the Deno process needs: librdkafka's sockets and files are native, out of Deno's sight. */
const PERMISSIONS = ['--allow-ffi'];

interface Batch {
  config: ClientConfig;
  messages: { topic: string; size?: number; value?: string; key?: string; headers?: Record<string, string>[] }[];
}
type Outcome = { thrown: number } | { reported: number; offset?: number; key?: string | null };
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

async function runDeno(batches: Batch[], permissions = PERMISSIONS): Promise<DenoRun> {
  const argument = JSON.stringify({ bootstrap: broker.bootstrap, batches });
  const proc = Bun.spawn([DENO, 'run', ...permissions, SCRIPT], {
    cwd: ROOT,
    stdin: new TextEncoder().encode(argument),
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function denoOutcomes(batches: Batch[]): Promise<Outcome[][]> {
  const run = await runDeno(batches);
  if (run.code !== 0) throw new Error(`deno run failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { results: Outcome[][] }).results;
}

/** The same messages through the FFI backend on Bun, in this process. */
async function bunOutcomes({ config, messages }: Batch): Promise<Outcome[]> {
  const producer = new backend.Producer({ 'bootstrap.servers': broker.bootstrap, log_level: 0, ...config, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  const outcomes: Outcome[] = new Array(messages.length);
  let pending = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  producer.on('delivery-report', (error: KafkaError | null, report: { opaque?: unknown }) => {
    outcomes[report.opaque as number] = { reported: error ? error.code : 0 };
    if (--pending === 0) finish();
  });
  messages.forEach((message, index) => {
    try {
      producer.produce(message.topic, null, new Uint8Array(message.size ?? 0).fill(120), null, Date.now(), index);
      pending++;
    } catch (error) {
      outcomes[index] = { thrown: (error as KafkaError).code };
    }
  });
  if (pending > 0) await done;
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return outcomes;
}

/** An outcome without where it landed, to compare runs that wrote to different places. */
const kind = (outcome: Outcome): Outcome => ('thrown' in outcome ? { thrown: outcome.thrown } : { reported: outcome.reported });

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

  test('--allow-ffi is the permission it needs: without it, opening librdkafka is refused', async () => {
    const run = await runDeno([], []);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--allow-ffi');
  }, 60_000);
});
