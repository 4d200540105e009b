export { CHANGE_OPS, isChangeOp, type ChangeOp } from './change-ops.ts';
export { isObject, isSchemaWrapper, type JsonObject } from './json-object.ts';
export type { ProducerRecord } from './producer-record.ts';
export { ErrantRecordError, type SinkRecord, type Transformation } from './sink-record.ts';
export type { ConsumedRecord, TopicPartition } from './consumed-record.ts';
export type { DeliveryOutcome, RecordProducer } from './record-producer.ts';
