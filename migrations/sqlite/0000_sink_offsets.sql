CREATE TABLE `inlet_sink_offsets` (
	`connector` text NOT NULL,
	`topic` text NOT NULL,
	`kafka_partition` integer NOT NULL,
	`next_offset` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`connector`, `topic`, `kafka_partition`)
);
