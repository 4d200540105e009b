/** A partition of a topic: where a consumed record came from, and what a sink task is assigned. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A record as a consumer hands it over, before any converter has read it. */
export interface ConsumedRecord extends TopicPartition {
  offset: number;
  /** Unix milliseconds (absent where the client does not report it). */
  timestamp?: number;
  /** The client's bytes as they arrived: no copy, and no runtime's buffer type above src/kafka. */
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
}
