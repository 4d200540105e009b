import type { ProducerRecord } from './producer-record.ts';

/** Where Kafka put a delivered record (absent from producers that cannot tell). */
export type DeliveryOutcome = { delivered: true; partition?: number; offset?: number } | { delivered: false; reason: string };

/**
 * The port records leave through: Kafka's producer on a worker (KafkaProducer), or a transaction
 * that writes them with what they advance (TransactionalProducer). `R` is what a producer needs of
 * each record; a plain ProducerRecord unless it writes something beside it.
 */
export interface RecordProducer<R extends ProducerRecord = ProducerRecord> {
  /** Resolves when every record has an outcome; never rejects for a single record's failure. */
  write(records: readonly R[]): Promise<DeliveryOutcome[]>;
  /** False while the producer knows it cannot deliver (all brokers down), so callers fail fast. */
  available(): boolean;
}
