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
  // Named as PostgreSQL names a primary key, which databases made before migrations were generated have.
  (t) => [primaryKey({ name: 'inlet_sink_offsets_pkey', columns: [t.connector, t.topic, t.partition] })],
);
