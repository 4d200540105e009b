export { ensurePartitions, ensureTopics, topicPartitions, type TopicSpec } from './admin.ts';
export { BatchConsumer, partitionKey, type BatchConsumerOptions, type ConsumedRecord, type PartitionBatch, type TopicPartition } from './consumer.ts';
export { KafkaRecordWriter, type OutgoingMessage, type ProducerOptions } from './producer.ts';
export { TransactionalRecordWriter, type TransactionalWriterOptions } from './transactional-writer.ts';
export { readTopicBatches, readTopics, type BatchReadOptions, type ReadRecord, type TopicRange } from './topic-reader.ts';
export { TopicTail } from './topic-tail.ts';
export { GroupMembership, type GroupMembershipOptions } from './group-membership.ts';
