// The one import of the native client; everything else in Inlet reaches Kafka through src/kafka.
import Kafka from '@confluentinc/kafka-javascript';

export const { Producer, KafkaConsumer, AdminClient, CODES, KafkaJS } = Kafka;
export type { LibrdKafkaError, DeliveryReport, Message, KafkaJS as KafkaJSTypes } from '@confluentinc/kafka-javascript';
import type { ConsumerGlobalConfig, ConsumerTopicConfig } from '@confluentinc/kafka-javascript';

/** What the native consumer has (lib/kafka-consumer.js) and its typings leave out. */
export interface NativeConsumerExtras {
  incrementalAssign(partitions: { topic: string; partition: number; offset?: number }[]): void;
  incrementalUnassign(partitions: { topic: string; partition: number }[]): void;
}

export type NativeConsumer = InstanceType<typeof KafkaConsumer> & NativeConsumerExtras;

/**
 * A native consumer. `queue_non_empty_cb` is the client's own hook (undocumented; its KafkaJS
 * layer waits on it the same way): called on the JS thread when the consumer queue fills.
 */
export function nativeConsumer(config: ConsumerGlobalConfig & { queue_non_empty_cb?: () => void }, topicConfig?: ConsumerTopicConfig): NativeConsumer {
  return new KafkaConsumer(config, topicConfig) as NativeConsumer;
}

/** Connection settings shared by every client a worker opens. */
export function commonConfig(brokers: string, clientId: string) {
  return {
    'bootstrap.servers': brokers,
    'client.id': clientId,
    // A restarted broker should be found again quickly, not after librdkafka's 10 s ceiling.
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 1000,
    'socket.keepalive.enable': true,
    log_level: 3,
  } as const;
}
