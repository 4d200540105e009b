-- Consumed positions of each sink connector, written in the same transaction as the rows they
-- produced; the sink seeks to them on assignment, which is what makes delivery exactly-once.
CREATE TABLE IF NOT EXISTS inlet_sink_offsets (
  connector text NOT NULL,
  topic text NOT NULL,
  kafka_partition integer NOT NULL,
  next_offset integer NOT NULL,
  updated_at integer NOT NULL,
  PRIMARY KEY (connector, topic, kafka_partition)
);
