import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ensureTopics, KafkaProducer, PartitionEndsReader } from '../../src/kafka/index.ts';
import type { ProducerRecord } from '../../src/records/index.ts';
import { connectionsTo } from '../support/connections.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { memoryLog } from '../support/log.ts';
import { waitFor } from '../support/wait.ts';

const log = memoryLog();
let broker: KafkaBroker;
let producer: KafkaProducer | undefined;

beforeAll(async () => {
  broker = await sharedKafka();
}, 120_000);
afterAll(async () => {
  await producer?.close();
});

const records = (topic: string, label: string, count: number): ProducerRecord[] =>
  Array.from({ length: count }, (_, i) => ({ topic, key: `${label}-${i}`, value: `${label}-${i}`, headers: {} }));
const total = (ends: { high: number }[]) => ends.reduce((sum, end) => sum + end.high, 0);

// A paused sink's lag reads these at every scrape and console sample: one client for all reads.
describe('PartitionEndsReader', () => {
  test('reads every partition of its topics over one connection, and leaves none after close', async () => {
    const topic = `ends-${crypto.randomUUID()}`;
    await ensureTopics(broker.bootstrap, [{ name: topic, partitions: 2 }], log);
    producer = await KafkaProducer.connect({ brokers: broker.bootstrap, deliveryTimeoutMs: 30_000, queueMaxMessages: 1000, lingerMs: 1, log });
    expect((await producer.write(records(topic, 'a', 5))).every((outcome) => outcome.delivered)).toBe(true);
    const before = connectionsTo(broker.port);

    const reader = new PartitionEndsReader(broker.bootstrap, log);
    const first = await reader.read([topic, `never-created-${Date.now()}`], 10_000);
    expect(first.map(({ topic: t, partition, low }) => ({ t, partition, low })).sort((x, y) => x.partition - y.partition)).toEqual([
      { t: topic, partition: 0, low: 0 },
      { t: topic, partition: 1, low: 0 },
    ]);
    expect(total(first)).toBe(5);
    const connected = connectionsTo(broker.port);
    expect(connected).toBeGreaterThan(before);

    expect((await producer.write(records(topic, 'b', 3))).every((outcome) => outcome.delivered)).toBe(true);
    for (let i = 0; i < 3; i++) expect(total(await reader.read([topic], 10_000))).toBe(8);
    // The same client's connections, no new one per read.
    expect(connectionsTo(broker.port)).toBe(connected);

    await reader.close();
    await waitFor("the reader's connections closed", () => connectionsTo(broker.port) === before, { timeoutMs: 15_000 });
    await expect(reader.read([topic], 10_000)).rejects.toThrow('closed');
    expect(connectionsTo(broker.port)).toBe(before);
  }, 60_000);
});
