import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const sinkOffsets = pgTable(
  'inlet_sink_offsets',
  {
    connector: text('connector').notNull(),
    topic: text('topic').notNull(),
    partition: integer('kafka_partition').notNull(),
    nextOffset: bigint('next_offset', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connector, t.topic, t.partition] })],
);
