CREATE TABLE "inlet_sink_offsets" (
	"connector" text NOT NULL,
	"topic" text NOT NULL,
	"kafka_partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inlet_sink_offsets_pkey" PRIMARY KEY("connector","topic","kafka_partition")
);
