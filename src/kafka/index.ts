export { ensureTopics, type TopicSpec } from './admin.ts';
export { BatchConsumer, partitionKey, type BatchConsumerOptions, type ConsumedRecord, type PartitionBatch, type TopicPartition } from './consumer.ts';
export { KafkaRecordWriter, type ProducerOptions } from './producer.ts';
