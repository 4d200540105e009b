/**
 * A record as a producer hands it to Kafka (Kafka's ProducerRecord): a source connector's record
 * without its source coordinates, a dead letter, a record of Inlet's own topics.
 */
export interface ProducerRecord {
  topic: string;
  key: string | null;
  /** The serialized value (JSON text); null produces a tombstone. */
  value: string | null;
  headers: Record<string, string>;
}
