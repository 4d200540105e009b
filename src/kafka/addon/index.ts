// The Node backend: @confluentinc/kafka-javascript, a NAN addon that loads only in Node.
import Kafka from '@confluentinc/kafka-javascript';
import type { ConsumerClient, KafkaBackend } from '../backend.ts';

export const addonBackend: KafkaBackend = {
  name: 'addon',
  producer: (config, topicConfig) => new Kafka.Producer(config, topicConfig),
  // The addon's consumer has incrementalAssign/incrementalUnassign; its typings leave them out.
  consumer: (config, topicConfig) => new Kafka.KafkaConsumer(config, topicConfig) as unknown as ConsumerClient,
  admin: (config) => Kafka.AdminClient.create(config),
  CODES: Kafka.CODES,
};
