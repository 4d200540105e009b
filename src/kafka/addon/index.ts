// The Node backend: @confluentinc/kafka-javascript, a NAN addon that loads only in Node.
import Kafka, { type LibrdKafkaError } from '@confluentinc/kafka-javascript';
import type { KafkaBackend, TopicPartition } from '../backend.ts';
import { clientEventHandlers, routeClientEvents } from '../client-log.ts';
import { restoreCode, restoreEventErrorCodes } from './event-errors.ts';

// The addon's consumer has these (lib/kafka-consumer.js); its typings leave them out.
declare module '@confluentinc/kafka-javascript/types/rdkafka' {
  interface KafkaConsumer {
    incrementalAssign(partitions: (TopicPartition & { offset?: number })[]): this;
    incrementalUnassign(partitions: TopicPartition[]): this;
  }
}

export const addonBackend: KafkaBackend = {
  name: 'addon',
  producer: (config, log, topicConfig) => routeClientEvents(restoreEventErrorCodes(new Kafka.Producer(config, topicConfig)), log),
  consumer: (config, log, topicConfig) => routeClientEvents(restoreEventErrorCodes(new Kafka.KafkaConsumer(config, topicConfig)), log),
  admin: (config, log) => {
    const handlers = clientEventHandlers(log);
    return Kafka.AdminClient.create(config, {
      ...handlers,
      'event.error': (error: LibrdKafkaError) => {
        restoreCode(error);
        handlers['event.error'](error);
      },
    });
  },
  CODES: Kafka.CODES,
};
