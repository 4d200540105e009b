export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionKey = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`;
