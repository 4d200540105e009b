import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { loadFfiBackend, type ClientConfig, type FfiBackend, type FfiProducer, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { produceEach, kind } from '../support/ffi-produce-each.ts';
import { committedValues, readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';

const ADDON_PRODUCE = join(import.meta.dir, '..', 'support', 'addon-produce.mjs');

interface Message {
  topic: string;
  size: number;
  key?: string;
}
type Outcome = { thrown: number } | { reported: number };

let broker: KafkaBroker;
let backend: FfiBackend;

beforeAll(async () => {
  broker = await sharedKafka();
  backend = await loadFfiBackend();
}, 120_000);

const baseConfig = (extra: ClientConfig = {}): ClientConfig => ({
  'bootstrap.servers': broker.bootstrap,
  'enable.idempotence': true,
  acks: -1,
  'linger.ms': 1,
  log_level: 0,
  ...extra,
});

async function connected(config: ClientConfig): Promise<FfiProducer> {
  const producer = new backend.Producer({ ...config, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  return producer;
}

const disconnect = (producer: FfiProducer) => new Promise<void>((resolve) => producer.disconnect(() => resolve()));

/** The outcome of each message through the FFI producer, in the addon script's words. */
async function ffiOutcomes(config: ClientConfig, messages: readonly Message[]): Promise<Outcome[]> {
  const producer = await connected(config);
  const { outcomes, reported } = produceEach(producer, messages);
  await reported;
  await disconnect(producer);
  return outcomes.map(kind);
}

/** The same messages through the Node addon, in a node process (Bun cannot load the addon). */
async function addonOutcomes(config: ClientConfig, messages: readonly Message[]): Promise<Outcome[]> {
  const proc = Bun.spawn(['node', ADDON_PRODUCE, JSON.stringify({ config, messages })], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`addon-produce.mjs failed (exit ${code}):\n${out}\n${err}`);
  return JSON.parse(out) as Outcome[];
}

describe('FFI producer against a real broker', () => {
  test('a record produced with key, headers and value is read back intact, and its opaque returns in its report', async () => {
    const producer = await connected(baseConfig());
    const topic = `ffi-roundtrip-${Date.now()}`;
    const report = new Promise<{ error: KafkaError | null; report: { opaque?: unknown; topic: string; partition: number; offset: number; key?: unknown } }>(
      (resolve) => producer.once('delivery-report', (error: KafkaError | null, report) => resolve({ error, report })),
    );
    const opaque = { write: 'w1', index: 7 };
    producer.produce(topic, null, new TextEncoder().encode('{"amount":42,"note":"é✓"}'), 'order-1', Date.now(), opaque, [
      { 'inlet.source': 'stripe' },
      { 'trace-id': new TextEncoder().encode('abc123') },
    ]);
    const delivered = await report;
    expect(delivered.error).toBeNull();
    expect(delivered.report.opaque).toBe(opaque);
    expect(delivered.report).toMatchObject({ topic, partition: 0, offset: 0 });
    expect(Buffer.from(delivered.report.key as Uint8Array).toString()).toBe('order-1');
    await disconnect(producer);

    const [record] = await readRecords(broker, topic, 1);
    expect(record).toEqual({ key: 'order-1', value: '{"amount":42,"note":"é✓"}', headers: { 'inlet.source': 'stripe', 'trace-id': 'abc123' } });
  });

  test('values are copied at produce: refilling the same buffer for the next record leaves the earlier ones intact', async () => {
    const producer = await connected(baseConfig({ 'linger.ms': 50 }));
    const topic = `ffi-copy-${Date.now()}`;
    const buffer = new Uint8Array(6);
    const encoder = new TextEncoder();
    for (let i = 0; i < 1000; i++) {
      encoder.encodeInto(`v${String(i).padStart(5, '0')}`, buffer);
      producer.produce(topic, null, buffer, null, Date.now());
    }
    expect(await new Promise<KafkaError | null>((resolve) => producer.flush(60_000, (error) => resolve(error)))).toBeNull();
    await disconnect(producer);
    const values = (await readRecords(broker, topic, 1000)).map((record) => record.value);
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => `v${String(i).padStart(5, '0')}`));
  }, 120_000);

  test('10,000 records are all reported delivered, with distinct offsets, and flush drains the reports', async () => {
    const producer = await connected(baseConfig());
    const topic = `ffi-many-${Date.now()}`;
    const offsets = new Set<number>();
    const errors: number[] = [];
    producer.on('delivery-report', (error: KafkaError | null, report: { offset: number }) => {
      if (error) errors.push(error.code);
      else offsets.add(report.offset);
    });
    const value = new Uint8Array(1024).fill(97);
    for (let i = 0; i < 10_000; i++) producer.produce(topic, null, value, `k${i}`, Date.now(), i, [{ n: String(i) }]);
    const flushed = await new Promise<KafkaError | null>((resolve) => producer.flush(60_000, (error) => resolve(error)));
    expect(flushed).toBeNull();
    expect(errors).toEqual([]);
    expect(offsets.size).toBe(10_000);
    expect(Math.max(...offsets)).toBe(9_999);
    await disconnect(producer);
  }, 120_000);

  test('an oversized message fails with the same code as on the addon, whether librdkafka or the broker refuses it', async () => {
    const topic = `ffi-oversized-${Date.now()}`;
    const messages = [
      { topic, size: 10 },
      // Above librdkafka's own message.max.bytes (1,000,000): refused by produce.
      { topic, size: 2_000_000 },
    ];
    const config = baseConfig();
    const [ffi, addon] = await Promise.all([ffiOutcomes(config, messages), addonOutcomes(config, messages)]);
    expect(ffi).toEqual(addon);
    expect(ffi[1]).toEqual({ thrown: backend.CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE });

    // Allowed by the client, above the broker's limit: refused in the delivery report.
    const lenient = baseConfig({ 'message.max.bytes': 10_000_000, 'compression.type': 'none' });
    const big = [{ topic, size: 2_000_000 }];
    const [ffiBig, addonBig] = await Promise.all([ffiOutcomes(lenient, big), addonOutcomes(lenient, big)]);
    expect(ffiBig).toEqual(addonBig);
    expect(ffiBig[0]).toEqual({ reported: backend.CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE });
  }, 120_000);

  test('a topic that does not exist (and may not be created) fails with the same code as on the addon', async () => {
    const messages = [{ topic: `ffi-missing-${Date.now()}`, size: 10 }];
    const config = baseConfig({ 'allow.auto.create.topics': false, 'message.timeout.ms': 5000 });
    const [ffi, addon] = await Promise.all([ffiOutcomes(config, messages), addonOutcomes(config, messages)]);
    expect(ffi).toEqual(addon);
    expect(ffi[0]).not.toEqual({ reported: 0 });
  }, 120_000);

  test('a full queue (queue.buffering.max.messages) throws ERR__QUEUE_FULL, as on the addon', async () => {
    const topic = `ffi-queue-full-${Date.now()}`;
    const messages = Array.from({ length: 50 }, () => ({ topic, size: 10 }));
    const config = baseConfig({ 'queue.buffering.max.messages': 5, 'linger.ms': 1000 });
    const [ffi, addon] = await Promise.all([ffiOutcomes(config, messages), addonOutcomes(config, messages)]);
    const full = { thrown: backend.CODES.ERRORS.ERR__QUEUE_FULL };
    expect(ffi.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => ({ reported: 0 })));
    expect(ffi.slice(5)).toEqual(Array.from({ length: 45 }, () => full));
    expect(ffi).toEqual(addon);
  }, 120_000);

  test('a committed transaction is visible to read_committed readers and an aborted one is not', async () => {
    const topic = `ffi-txn-${Date.now()}`;
    const producer = await connected(baseConfig({ 'transactional.id': `ffi-txn-${Date.now()}`, 'transaction.timeout.ms': 30_000 }));
    const step = (fn: (cb: (error: KafkaError | null) => void) => void) =>
      new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
    const encoder = new TextEncoder();
    await step((cb) => producer.initTransactions(30_000, cb));
    await step((cb) => producer.beginTransaction(cb));
    producer.produce(topic, null, encoder.encode('{"n":"aborted"}'), null, Date.now());
    await step((cb) => producer.abortTransaction(30_000, cb));
    await step((cb) => producer.beginTransaction(cb));
    for (let i = 0; i < 100; i++) producer.produce(topic, null, encoder.encode(`{"n":${i}}`), null, Date.now());
    await step((cb) => producer.commitTransaction(30_000, cb));
    await disconnect(producer);
    expect(await committedValues(broker, topic)).toEqual(Array.from({ length: 100 }, (_, i) => `{"n":${i}}`));
  }, 120_000);
});
