import { beforeAll, describe, expect, test } from 'bun:test';
import { loadFfiBackend, type FfiAdmin, type FfiBackend, type KafkaError } from '../../src/kafka/ffi/index.ts';
import { sharedKafka, type KafkaBroker } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

let broker: KafkaBroker;
let backend: FfiBackend;

beforeAll(async () => {
  broker = await sharedKafka();
  backend = await loadFfiBackend();
}, 120_000);

const settled = (call: (cb: (error: KafkaError | null) => void) => void) =>
  new Promise<KafkaError | null>((resolve) => call((error) => resolve(error)));

async function partitionsOf(admin: FfiAdmin, topic: string): Promise<number> {
  const metadata = await new Promise<{ topics: { name: string; partitions: unknown[] }[] }>((resolve, reject) =>
    admin.getMetadata({ topic, timeout: 10_000 }, (error, data) => (error ? reject(error) : resolve(data!))),
  );
  return metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
}

describe('FFI admin against a real broker', () => {
  test('creates a topic with its config, lists it, refuses it again with ERR_TOPIC_ALREADY_EXISTS and grows its partitions', async () => {
    const admin = backend.AdminClient.create({ 'bootstrap.servers': broker.bootstrap, log_level: 0 });
    const topic = `ffi-admin-${Date.now()}`;
    const spec = { topic, num_partitions: 3, replication_factor: -1, config: { 'cleanup.policy': 'compact' as const } };
    expect(await settled((cb) => admin.createTopic(spec, 30_000, cb))).toBeNull();
    const names = () =>
      new Promise<string[]>((resolve, reject) => admin.listTopics({ timeout: 10_000 }, (error, topics) => (error ? reject(error) : resolve(topics!))));
    // The broker answering metadata may learn of the new topic a moment after the controller.
    await waitFor('the new topic in the list', async () => (await names()).includes(topic), { timeoutMs: 30_000 });
    expect((await settled((cb) => admin.createTopic(spec, 30_000, cb)))?.code).toBe(backend.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS);
    expect(await partitionsOf(admin, topic)).toBe(3);
    expect(await settled((cb) => admin.createPartitions(topic, 5, 30_000, cb))).toBeNull();
    // The new partitions reach the metadata a moment after the request succeeds.
    await waitFor('5 partitions in the metadata', async () => (await partitionsOf(admin, topic)) === 5, { timeoutMs: 30_000 });
    const metadata = await new Promise<{ brokers: { id: number }[]; topics: { name: string; partitions: { id: number; leader: number; replicas: number[]; isrs: number[] }[] }[] }>(
      (resolve, reject) => admin.getMetadata({ topic, timeout: 10_000 }, (error, data) => (error ? reject(error) : resolve(data!))),
    );
    expect(metadata.brokers).toHaveLength(1);
    const id = metadata.brokers[0]!.id;
    expect(metadata.topics).toEqual([{ name: topic, partitions: [0, 1, 2, 3, 4].map((p) => ({ id: p, leader: id, replicas: [id], isrs: [id] })) }]);
    // A topic the cluster does not have has no partitions (and asking does not create it).
    expect(await partitionsOf(admin, `${topic}-absent`)).toBe(0);
    admin.disconnect();
    expect(admin.isConnected()).toBe(false);
  }, 120_000);
});
