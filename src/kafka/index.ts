export { ensurePartitions, ensureTopics, topicPartitions, type TopicSpec } from './admin.ts';
export { BatchConsumer, type BatchConsumerOptions, type PartitionBatch } from './consumer.ts';
export { partitionKey } from './topic-partition.ts';
export { KafkaProducer } from './kafka-producer.ts';
export type { ProducerOptions } from './produce.ts';
export { TransactionalProducer, type TransactionalProducerOptions } from './transactional-producer.ts';
export { PartitionEndsReader, readTopicBatches, readTopics, type BatchReadOptions, type PartitionEnds, type ReadRecord, type TopicRange } from './topic-reader.ts';
export { TopicTail } from './topic-tail.ts';
export { GroupMembership, type GroupMembershipOptions } from './group-membership.ts';
// Which binding this process reaches librdkafka through ('addon' or 'ffi'): for the worker's start line only.
export { backendName as kafkaBackend } from './librdkafka.ts';
