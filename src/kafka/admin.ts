import { AdminClient, commonConfig, KafkaJS } from './librdkafka.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(brokers: string, topics: readonly TopicSpec[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new KafkaJS.Kafka({}).admin(commonConfig(brokers, 'inlet-admin'));
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      // Another worker may create the same topics at the same moment; that is not an error.
      await admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: -1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** The partition numbers of each topic. */
export async function topicPartitions(brokers: string, topics: readonly string[]): Promise<Map<string, number[]>> {
  const admin = new KafkaJS.Kafka({}).admin(commonConfig(brokers, 'inlet-admin'));
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    return new Map(metadata.map((t) => [t.name, t.partitions.map((p) => p.partitionId).sort((a, b) => a - b)]));
  } finally {
    await admin.disconnect();
  }
}

/** Grows `topic` to at least `partitions` partitions (Kafka cannot shrink a topic). */
export async function ensurePartitions(brokers: string, topic: string, partitions: number): Promise<void> {
  const current = (await topicPartitions(brokers, [topic])).get(topic)?.length ?? 0;
  if (current >= partitions) return;
  const admin = AdminClient.create(commonConfig(brokers, 'inlet-admin'));
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createPartitions(topic, partitions, 30_000, (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    admin.disconnect();
  }
}
