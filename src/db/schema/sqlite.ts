import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const sinkOffsets = sqliteTable(
  'inlet_sink_offsets',
  {
    connector: text('connector').notNull(),
    topic: text('topic').notNull(),
    partition: integer('kafka_partition').notNull(),
    nextOffset: integer('next_offset').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connector, t.topic, t.partition] })],
);
