import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { loadFfiBackend, type FfiAdmin, type FfiBackend, type FfiConsumer, type FfiProducer, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { ensureTopics } from '../../src/kafka/index.ts';
import { memoryLog } from '../support/log.ts';
import { startKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

// While the broker is stopped, each call below waits for it: on the JS thread it must not. A timer
// ticking every 10 ms measures the longest the thread was held while the call was out; a call that
// blocked (rd_kafka_metadata, rd_kafka_commit, ...) holds it for the whole wait.

/**
 * The longest the JS thread may be held while a call waits on the broker. The blocking calls held
 * it 2 s (a 2 s metadata timeout) to 45 s; a loaded machine may stall the process a few hundred ms.
 */
const HELD_MAX_MS = 1000;
const TICK_MS = 10;

let broker: KafkaBroker;
let backend: FfiBackend;
let topic: string;
let admin: FfiAdmin;
let consumer: FfiConsumer;
/** A consumer that only asks offsets (as the topic tail's end-offsets client): it never fetches. */
let querier: FfiConsumer;
let producer: FfiProducer;

const call = <T>(fn: (cb: (error: KafkaError | null, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

/**
 * Runs `work` (which may block or return a promise) and reports how long it took to settle and the
 * longest gap between two ticks of a 10 ms timer meanwhile: a blocked JS thread shows as a gap.
 */
async function heldDuring<T>(work: () => Promise<T> | T): Promise<{ elapsedMs: number; heldMs: number; outcome: T | Error }> {
  let last = performance.now();
  let heldMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    heldMs = Math.max(heldMs, now - last);
    last = now;
  }, TICK_MS);
  const started = performance.now();
  let outcome: T | Error;
  try {
    outcome = await work();
  } catch (error) {
    outcome = error as Error;
  }
  const elapsedMs = performance.now() - started;
  // One more tick: a call that blocked and then settled at once has not been measured yet.
  await new Promise((resolve) => setTimeout(resolve, TICK_MS * 3));
  clearInterval(timer);
  heldMs = Math.max(heldMs, performance.now() - last - TICK_MS * 3);
  return { elapsedMs, heldMs, outcome };
}

beforeAll(async () => {
  broker = await startKafka();
  backend = await loadFfiBackend();
  const config = { 'bootstrap.servers': broker.bootstrap, log_level: 0 };
  topic = `ffi-nonblocking-${Date.now()}`;
  admin = backend.AdminClient.create(config);
  await call((cb) => admin.createTopic({ topic, num_partitions: 1, replication_factor: 1 }, 30_000, cb));
  producer = new backend.Producer({ ...config, dr_cb: true });
  await call((cb) => producer.connect({ timeout: 30_000 }, cb));
  const delivered = new Promise<void>((resolve) => producer.once('delivery-report', () => resolve()));
  producer.produce(topic, 0, new TextEncoder().encode('v'), 'k', Date.now());
  await delivered;
  consumer = new backend.KafkaConsumer({ ...config, 'group.id': `g-${topic}`, 'enable.auto.commit': false }, { 'auto.offset.reset': 'earliest' });
  await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
  consumer.setDefaultConsumeTimeout(200);
  consumer.subscribe([topic]);
  await waitFor('the record, through the group', async () => (await call<unknown[]>((cb) => consumer.consume(1, cb))).length === 1, { timeoutMs: 60_000 });
  querier = new backend.KafkaConsumer({ ...config, 'group.id': `q-${topic}` }, {});
  await call((cb) => querier.connect({ timeout: 30_000 }, cb));
  await waitFor('the partition\'s ends', async () => (await call<{ highOffset: number }>((cb) => querier.queryWatermarkOffsets(topic, 0, 5000, cb))).highOffset === 1, { timeoutMs: 60_000 });
  // The group's coordinator is known and the consumer has a position: now take the broker away.
  await broker.stop();
}, 180_000);

afterAll(() => {
  admin?.disconnect();
  querier?.disconnect();
});

describe('FFI calls that wait on a stopped broker leave the JS thread free', () => {
  test('commitSync (its answer comes later, as an event)', async () => {
    const { heldMs } = await heldDuring(() => consumer.commitSync([{ topic, partition: 0, offset: 1 }]));
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  test('getMetadata for one topic', async () => {
    const { elapsedMs, heldMs, outcome } = await heldDuring(() => call((cb) => admin.getMetadata({ topic, timeout: 2000 }, cb)));
    expect(outcome).toBeInstanceOf(Error);
    // It did wait on the broker (its timeout), only not on the JS thread.
    expect(elapsedMs).toBeGreaterThan(1000);
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  // The querier, which does not fetch, still has the partition's leader in its metadata cache (a
  // fetching member learns of no leader as the broker shuts down, and ListOffsets then fails at once
  // with ERR__UNKNOWN_PARTITION on both backends). With the broker stopped, the admin ListOffsets
  // request ends after its timeout with a success whose partitions have RD_KAFKA_OFFSET_INVALID
  // (-1001), librdkafka's placeholder for a leader that never answered. The addon fails these calls
  // with ERR__TIMED_OUT (checked against a stopped broker: rd_kafka_offsets_for_times and
  // rd_kafka_query_watermark_offsets), and so must FFI: the topic tail's read barrier would
  // otherwise take -1001 for an end it has already reached.
  test('offsetsForTimes (ListOffsets) fails with ERR__TIMED_OUT, as the addon does', async () => {
    const { elapsedMs, heldMs, outcome } = await heldDuring(() => call((cb) => querier.offsetsForTimes([{ topic, partition: 0, offset: -1 }], 2000, cb)));
    expect(outcome).toMatchObject({ code: backend.CODES.ERRORS.ERR__TIMED_OUT, message: 'Local: Timed out' });
    expect(elapsedMs).toBeGreaterThan(1500);
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  test('queryWatermarkOffsets (ListOffsets) fails with ERR__TIMED_OUT, as the addon does', async () => {
    const { elapsedMs, heldMs, outcome } = await heldDuring(() => call((cb) => querier.queryWatermarkOffsets(topic, 0, 2000, cb)));
    expect(outcome).toMatchObject({ code: backend.CODES.ERRORS.ERR__TIMED_OUT, message: 'Local: Timed out' });
    expect(elapsedMs).toBeGreaterThan(1500);
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  // What a worker does first: its topics' metadata, to create those missing (listing every topic,
  // rd_kafka_metadata, would hold the thread the whole 30 s).
  test('ensureTopics', async () => {
    const { elapsedMs, heldMs, outcome } = await heldDuring(() => ensureTopics(broker.bootstrap, [{ name: `${topic}-more`, partitions: 1 }], memoryLog()));
    expect(outcome).toBeInstanceOf(Error);
    expect(elapsedMs).toBeGreaterThan(1000);
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 90_000);

  // The seek's wait is for the partition's fetcher to take the new position, a local step.
  test('seek', async () => {
    const { heldMs, outcome } = await heldDuring(() => call((cb) => consumer.seek({ topic, partition: 0, offset: 0 }, 5000, cb)));
    expect(outcome).toBeUndefined();
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  // Leaving the group cannot reach the coordinator: the close gives up on it without holding the thread.
  test('disconnect of a group member', async () => {
    const { heldMs, outcome } = await heldDuring(() => call((cb) => consumer.disconnect(cb)));
    expect(outcome).toMatchObject({ connectionOpened: expect.any(Number) });
    expect(consumer.isConnected()).toBe(false);
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);

  test('disconnect of a producer', async () => {
    const { heldMs, outcome } = await heldDuring(() => call((cb) => producer.disconnect(cb)));
    expect(outcome).toMatchObject({ connectionOpened: expect.any(Number) });
    expect(heldMs).toBeLessThan(HELD_MAX_MS);
  }, 60_000);
});
