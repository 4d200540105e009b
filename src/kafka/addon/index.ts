// The Node backend: @confluentinc/kafka-javascript, a NAN addon that loads only in Node.
import Kafka from '@confluentinc/kafka-javascript';
import type { ConsumerClient, KafkaBackend } from '../backend.ts';
import { clientEventHandlers, routeClientEvents } from '../client-log.ts';

export const addonBackend: KafkaBackend = {
  name: 'addon',
  producer: (config, log, topicConfig) => routeClientEvents(new Kafka.Producer(config, topicConfig), log),
  // The addon's consumer has incrementalAssign/incrementalUnassign; its typings leave them out.
  consumer: (config, log, topicConfig) => routeClientEvents(new Kafka.KafkaConsumer(config, topicConfig), log) as unknown as ConsumerClient,
  admin: (config, log) => Kafka.AdminClient.create(config, clientEventHandlers(log)),
  CODES: Kafka.CODES,
};
