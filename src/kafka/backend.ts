import type Kafka from '@confluentinc/kafka-javascript';
import type {
  ConsumerGlobalConfig,
  ConsumerTopicConfig,
  GlobalConfig,
  LibrdKafkaError,
  NewTopic,
  ProducerGlobalConfig,
  ProducerTopicConfig,
} from '@confluentinc/kafka-javascript';
import type { LibrdkafkaLogEvent } from './client-log.ts';
import type { Log } from '../log/index.ts';

// The Kafka port's seam: librdkafka's client calls as the addon's native (non-KafkaJS) API shapes
// them, cut down to what src/kafka uses. Two backends implement it over the same librdkafka build,
// so configuration keys, error codes and event semantics match: the addon on Node (src/kafka/addon)
// and librdkafka's C API over FFI on Bun (src/kafka/ffi). Nothing outside src/kafka sees which one
// runs. Errors are the addon's LibrdKafkaError shape (the FFI backend's KafkaError implements it).

/** A callback: an error (null or undefined on success), else the result. */
export type Callback<T = void> = (error: LibrdKafkaError | null | undefined, result?: T) => void;

/** A client call as a promise: the result is there whenever the error is not. */
export const promised = <T>(fn: (cb: Callback<T>) => void) =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

export interface MetadataOptions {
  topic?: string;
  allTopics?: boolean;
  timeout?: number;
}

export interface Metadata {
  orig_broker_id: number;
  orig_broker_name: string;
  brokers: { id: number; host: string; port: number }[];
  topics: { name: string; partitions: { id: number; leader: number; replicas: number[]; isrs: number[] }[] }[];
}

/** One header: its name and value (a name may repeat across a message's headers). */
export type MessageHeader = Record<string, string | Uint8Array>;

/** A consumed message. */
export interface Message {
  topic: string;
  partition: number;
  offset: number;
  key?: Uint8Array | string | null;
  value: Uint8Array | null;
  size: number;
  timestamp?: number;
  headers?: MessageHeader[];
}

/** A produced message's delivery report; `opaque` is what produce was given. */
export interface DeliveryReport {
  topic: string;
  partition: number;
  offset: number;
  opaque?: unknown;
  timestamp?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}
export interface WatermarkOffsets {
  lowOffset: number;
  highOffset: number;
}
export interface PartitionEof extends TopicPartitionOffset {}

/** What every client does: connect, report librdkafka's logs and errors, disconnect. */
interface Client {
  connect(options: MetadataOptions, cb: Callback<Metadata>): this;
  disconnect(cb?: Callback<unknown>): this;
  getMetadata(options: MetadataOptions, cb: Callback<Metadata>): void;
  on(event: 'event.log', listener: (entry: LibrdkafkaLogEvent) => void): this;
  on(event: 'event.error', listener: (error: LibrdKafkaError) => void): this;
}

/** A producer, transactional or not. */
export interface ProducerClient extends Client {
  /** Queues one message; throws a LibrdKafkaError (a full queue, a message too large). */
  produce(
    topic: string,
    partition: number | null,
    message: Uint8Array | null,
    key?: string | Uint8Array | null,
    timestamp?: number | null,
    opaque?: unknown,
    headers?: MessageHeader[],
  ): unknown;
  flush(timeout: number, cb: Callback<void>): this;
  /** Flushes for up to `timeout` ms, then fails what is left and frees the client. */
  disconnect(timeout: number, cb?: Callback<unknown>): this;
  disconnect(cb?: Callback<unknown>): this;
  setPollInBackground(set: boolean): unknown;
  initTransactions(timeout: number, cb: Callback<void>): void;
  beginTransaction(cb: Callback<void>): void;
  commitTransaction(timeout: number, cb: Callback<void>): void;
  abortTransaction(timeout: number, cb: Callback<void>): void;
  on(event: 'event.log', listener: (entry: LibrdkafkaLogEvent) => void): this;
  on(event: 'event.error', listener: (error: LibrdKafkaError) => void): this;
  on(event: 'delivery-report', listener: (error: LibrdKafkaError | null, report: DeliveryReport) => void): this;
}

/** A consumer: a group member (subscribe, rebalance events) or a reader (assign). */
export interface ConsumerClient extends Client {
  isConnected(): boolean;
  subscribe(topics: string[]): unknown;
  unsubscribe(): unknown;
  consume(count: number, cb: Callback<Message[]>): void;
  setDefaultConsumeTimeout(timeoutMs: number): void;
  assign(assignments: TopicPartitionOffset[]): unknown;
  incrementalAssign(partitions: (TopicPartition & { offset?: number })[]): unknown;
  incrementalUnassign(partitions: TopicPartition[]): unknown;
  seek(partition: TopicPartitionOffset, timeout: number, cb: (error: LibrdKafkaError | null | undefined) => void): unknown;
  pause(partitions: TopicPartition[]): unknown;
  resume(partitions: TopicPartition[]): unknown;
  /** Where each partition (all assigned ones, without `partitions`) is; no offset while it has none. */
  position(partitions?: TopicPartition[]): (TopicPartition & { offset?: number })[];
  commit(offsets: TopicPartitionOffset[]): unknown;
  commitSync(offsets: TopicPartitionOffset[]): unknown;
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: Callback<WatermarkOffsets>): void;
  /** Each partition's first offset at or after `offset` as a timestamp (-1: the log end). */
  offsetsForTimes(partitions: TopicPartitionOffset[], timeout: number, cb: Callback<TopicPartitionOffset[]>): void;
  on(event: 'event.log', listener: (entry: LibrdkafkaLogEvent) => void): this;
  on(event: 'event.error', listener: (error: LibrdKafkaError) => void): this;
  on(event: 'partition.eof', listener: (eof: PartitionEof) => void): this;
}

export interface AdminClientPort {
  createTopic(topic: NewTopic, timeout: number, cb: (error: LibrdKafkaError | null | undefined) => void): void;
  createPartitions(topic: string, totalPartitions: number, timeout: number, cb: (error: LibrdKafkaError | null | undefined) => void): void;
  listTopics(options: { timeout?: number }, cb: Callback<string[]>): void;
  disconnect(): void;
}

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
