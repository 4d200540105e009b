import { CODES, commonConfig, newAdmin, newProducer, type AdminClientPort, type LibrdKafkaError, type ProducerClient } from './librdkafka.ts';
import { promised, type Metadata } from './backend.ts';
import type { Log } from '../log/index.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

const ADMIN_TIMEOUT_MS = 30_000;

/** Runs `use` with an admin client (librdkafka's admin API), closed afterwards. */
async function withAdmin<T>(brokers: string, log: Log, use: (admin: AdminClientPort) => Promise<T>): Promise<T> {
  const admin = newAdmin(commonConfig(brokers, 'inlet-admin'), log);
  try {
    return await use(admin);
  } finally {
    admin.disconnect();
  }
}

/** Runs `use` with a connected metadata client (the admin API has no metadata call of its own). */
async function withMetadataClient<T>(brokers: string, log: Log, use: (client: ProducerClient) => Promise<T>): Promise<T> {
  // Asking for a topic's metadata must not create it on a broker that auto-creates topics.
  const client = newProducer({ ...commonConfig(brokers, 'inlet-admin'), 'allow.auto.create.topics': false }, log);
  await new Promise<void>((resolve, reject) => client.connect({ timeout: ADMIN_TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())));
  try {
    return await use(client);
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(brokers: string, topics: readonly TopicSpec[], log: Log): Promise<void> {
  if (topics.length === 0) return;
  // Each topic's own metadata rather than the list of every topic: listing them blocks the JS
  // thread on the FFI backend (rd_kafka_metadata; librdkafka's admin API cannot list topics).
  const partitions = await topicPartitions(brokers, topics.map((t) => t.name), log);
  const missing = topics.filter((t) => (partitions.get(t.name)?.length ?? 0) === 0);
  if (missing.length === 0) return;
  await withAdmin(brokers, log, async (admin) => {
    await Promise.all(
      missing.map(
        (t) =>
          new Promise<void>((resolve, reject) =>
            admin.createTopic(
              // -1: the broker's default replication factor (KIP-464).
              { topic: t.name, num_partitions: t.partitions, replication_factor: -1, config: t.config ?? {} },
              ADMIN_TIMEOUT_MS,
              (error) => {
                // Another worker may create the same topic at the same moment; that is not an error.
                if (error && error.code !== CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) reject(error);
                else resolve();
              },
            ),
          ),
      ),
    );
  });
}

/** The partition numbers of each topic (a topic that does not exist has none). */
export async function topicPartitions(brokers: string, topics: readonly string[], log: Log): Promise<Map<string, number[]>> {
  return withMetadataClient(brokers, log, async (client) => {
    const entries = await Promise.all(
      topics.map(
        (topic) =>
          promised<Metadata>((cb) => client.getMetadata({ topic, timeout: ADMIN_TIMEOUT_MS }, cb)).then((metadata): [string, number[]] => {
            const found = metadata.topics.find((t) => t.name === topic);
            return [topic, (found?.partitions ?? []).map((p) => p.id).sort((a, b) => a - b)];
          }),
      ),
    );
    return new Map(entries);
  });
}

/** Grows `topic` to at least `partitions` partitions (Kafka cannot shrink a topic). */
export async function ensurePartitions(brokers: string, topic: string, partitions: number, log: Log): Promise<void> {
  const current = (await topicPartitions(brokers, [topic], log)).get(topic)?.length ?? 0;
  if (current >= partitions) return;
  await withAdmin(brokers, log, (admin) =>
    new Promise<void>((resolve, reject) => admin.createPartitions(topic, partitions, ADMIN_TIMEOUT_MS, (error) => (error ? reject(error) : resolve()))),
  );
}
