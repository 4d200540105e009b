// The Node backend: @confluentinc/kafka-javascript, a NAN addon that loads only in Node.
import Kafka from '@confluentinc/kafka-javascript';
import type { KafkaBackend, TopicPartition } from '../backend.ts';
import { clientEventHandlers, routeClientEvents } from '../client-log.ts';

// The addon's consumer has these (lib/kafka-consumer.js); its typings leave them out.
declare module '@confluentinc/kafka-javascript/types/rdkafka' {
  interface KafkaConsumer {
    incrementalAssign(partitions: (TopicPartition & { offset?: number })[]): this;
    incrementalUnassign(partitions: TopicPartition[]): this;
  }
}

export const addonBackend: KafkaBackend = {
  name: 'addon',
  producer: (config, log, topicConfig) => routeClientEvents(new Kafka.Producer(config, topicConfig), log),
  consumer: (config, log, topicConfig) => routeClientEvents(new Kafka.KafkaConsumer(config, topicConfig), log),
  admin: (config, log) => Kafka.AdminClient.create(config, clientEventHandlers(log)),
  CODES: Kafka.CODES,
};
