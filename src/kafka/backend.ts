import type Kafka from '@confluentinc/kafka-javascript';
import type { Log } from '../log/index.ts';
import type { ConsumerGlobalConfig, ConsumerTopicConfig, GlobalConfig, ProducerGlobalConfig, ProducerTopicConfig } from '@confluentinc/kafka-javascript';

// The Kafka port's seam: librdkafka as the addon's native (non-KafkaJS) API shapes it, cut down to
// what src/kafka uses. Two backends provide it over the same librdkafka build, so configuration
// keys, error codes and event semantics match: the addon on Node (src/kafka/addon) and librdkafka's
// C API over FFI on Bun (src/kafka/ffi). Nothing outside src/kafka sees which one runs.

type AddonProducer = InstanceType<typeof Kafka.Producer>;
type AddonConsumer = InstanceType<typeof Kafka.KafkaConsumer>;
type AddonAdmin = ReturnType<typeof Kafka.AdminClient.create>;

/** A producer, transactional or not. */
export type ProducerClient = Pick<
  AddonProducer,
  | 'connect'
  | 'disconnect'
  | 'produce'
  | 'flush'
  | 'getMetadata'
  | 'setPollInBackground'
  | 'initTransactions'
  | 'beginTransaction'
  | 'commitTransaction'
  | 'abortTransaction'
  | 'on'
>;

/** A consumer: a group member (subscribe, rebalance events) or a reader (assign). */
export type ConsumerClient = Pick<
  AddonConsumer,
  | 'connect'
  | 'disconnect'
  | 'isConnected'
  | 'subscribe'
  | 'unsubscribe'
  | 'consume'
  | 'setDefaultConsumeTimeout'
  | 'assign'
  | 'seek'
  | 'pause'
  | 'resume'
  | 'position'
  | 'commit'
  | 'commitSync'
  | 'queryWatermarkOffsets'
  | 'offsetsForTimes'
  | 'getMetadata'
  | 'on'
> & {
  // Present on the addon's consumer (lib/kafka-consumer.js), missing from its typings.
  incrementalAssign(partitions: { topic: string; partition: number; offset?: number }[]): void;
  incrementalUnassign(partitions: { topic: string; partition: number }[]): void;
};

export type AdminClientPort = Pick<AddonAdmin, 'createTopic' | 'createPartitions' | 'listTopics' | 'disconnect'>;

/**
 * Consumer options Inlet sets beyond the typed ones. `queue_non_empty_cb` is the addon's own hook
 * (undocumented; its KafkaJS layer waits on it the same way): called on the JS thread when the
 * consumer's queue fills, so a consume loop waits on it instead of polling.
 */
export type ConsumerConfig = ConsumerGlobalConfig & { queue_non_empty_cb?: () => void };

export interface KafkaBackend {
  /** Which binding this is, for logs: `addon` or `ffi`. */
  readonly name: string;
  // Each client sends librdkafka's log and error events to `log` (routeClientEvents).
  /** Topic-level keys (acks, message.timeout.ms) may sit in the global config: librdkafka applies them to every topic. */
  producer(config: ProducerGlobalConfig & ProducerTopicConfig, log: Log, topicConfig?: ProducerTopicConfig): ProducerClient;
  consumer(config: ConsumerConfig, log: Log, topicConfig?: ConsumerTopicConfig): ConsumerClient;
  admin(config: GlobalConfig, log: Log): AdminClientPort;
  /** librdkafka's error codes (rd_kafka_resp_err_t), as the addon names them. */
  readonly CODES: typeof Kafka.CODES;
}
