import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { FfiProducer } from '../../src/kafka/ffi/index.ts';
import { ensureTopics, KafkaProducer } from '../../src/kafka/index.ts';
import { CODES, type ProducerClient } from '../../src/kafka/librdkafka.ts';
import type { ProducerRecord } from '../../src/records/index.ts';
import { readRecords, sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { memoryLog } from '../support/log.ts';

// Bun only: the fatal error is raised with librdkafka's rd_kafka_test_fatal_error, which the FFI
// backend can call and the Node addon does not expose (nor can a real broker be made to fence an
// idempotent producer on purpose).
let broker: KafkaBroker;
let producer: KafkaProducer | undefined;
const log = memoryLog();

beforeAll(async () => {
  broker = await sharedKafka();
}, 120_000);

afterAll(async () => {
  await producer?.close();
}, 30_000);

const records = (topic: string, label: string, count: number): ProducerRecord[] =>
  Array.from({ length: count }, (_, i) => ({ topic, key: `${label}-${i}`, value: `${label}-${i}`, headers: {} }));

describe('a fatal producer error (the idempotent producer fenced)', () => {
  test('replaces the producer: writes after it are delivered, and each record in flight reports its true outcome', async () => {
    const topic = `fatal-${crypto.randomUUID()}`;
    await ensureTopics(broker.bootstrap, [{ name: topic, partitions: 1 }], log);
    const clients: ProducerClient[] = [];
    // A long linger keeps a write queued (in flight) when the fatal error strikes.
    producer = await KafkaProducer.connect({
      brokers: broker.bootstrap,
      deliveryTimeoutMs: 30_000,
      queueMaxMessages: 10_000,
      lingerMs: 1500,
      log,
      onClient: (client) => clients.push(client),
    });

    const before = await producer.write(records(topic, 'before', 3));
    expect(before.every((o) => o.delivered)).toBe(true);

    const inFlight = producer.write(records(topic, 'in-flight', 3));
    (clients[0] as FfiProducer).testFatalError(CODES.ERRORS.ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 'fenced by the test');
    // Sent after the error, before the JS thread heard of it: the broken client refuses it at once,
    // and it goes to the replacement.
    const rightAfter = producer.write(records(topic, 'right-after', 3));

    expect((await rightAfter).every((o) => o.delivered)).toBe(true);
    const after = await producer.write(records(topic, 'after', 3));
    expect(after.every((o) => o.delivered)).toBe(true);
    expect(clients.length).toBe(2);
    expect(producer.available()).toBe(true);
    // librdkafka purges what the broken client still queued (those fail, and their senders retry)
    // and reports what it had sent as the broker answers: either way the write settles.
    const inFlightOutcomes = await inFlight;

    // The topic holds exactly the records reported delivered.
    const written = [...records(topic, 'before', 3), ...records(topic, 'right-after', 3), ...records(topic, 'after', 3)].map((r) => r.key!);
    inFlightOutcomes.forEach((outcome, i) => outcome.delivered && written.push(`in-flight-${i}`));
    const keys = (await readRecords(broker, topic, 100, { idleMs: 5000 })).map((r) => r.key).sort();
    expect(keys).toEqual(written.sort());
    expect(log.lines.some((line) => line.level === 'error' && /failed fatally/.test(line.message))).toBe(true);
  }, 90_000);
});
