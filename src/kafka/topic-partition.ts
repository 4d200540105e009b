import type { TopicPartition } from '../records/index.ts';

export const partitionKey = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`;
