export { ensurePartitions, ensureTopics, topicPartitions, type TopicSpec } from './admin.ts';
export { BatchConsumer, partitionKey, type BatchConsumerOptions, type ConsumedRecord, type PartitionBatch, type TopicPartition } from './consumer.ts';
export { KafkaProducer, type ProducerOptions } from './kafka-producer.ts';
export type { DeliveryOutcome, RecordProducer } from './record-producer.ts';
export { TransactionalProducer, type TransactionalProducerOptions } from './transactional-producer.ts';
export { readTopicBatches, readTopics, type BatchReadOptions, type ReadRecord, type TopicRange } from './topic-reader.ts';
export { TopicTail } from './topic-tail.ts';
export { GroupMembership, type GroupMembershipOptions } from './group-membership.ts';
