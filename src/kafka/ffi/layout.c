/*
 * Prints the offsets and sizes of the librdkafka structs that src/kafka/ffi reads and writes by
 * hand, as JSON, so test/unit/ffi-layout.test.ts can compare them with layout.ts: a librdkafka
 * upgrade that moves a field then fails a test instead of corrupting memory.
 * Build: cc -I <package>/build/deps/include layout.c
 */
#include <stddef.h>
#include <stdio.h>
#include <librdkafka/rdkafka.h>

#define FIELD(type, name, member) printf("  \"%s\": %zu,\n", name, offsetof(type, member))
#define SIZE(type, name) printf("  \"%s\": %zu,\n", name, sizeof(type))
#define VALUE(name, value) printf("  \"%s\": %lld,\n", name, (long long)(value))

int main(void) {
  printf("{\n");
  SIZE(rd_kafka_vu_t, "vu.size");
  FIELD(rd_kafka_vu_t, "vu.vtype", vtype);
  FIELD(rd_kafka_vu_t, "vu.i32", u.i32);
  FIELD(rd_kafka_vu_t, "vu.i64", u.i64);
  FIELD(rd_kafka_vu_t, "vu.cstr", u.cstr);
  FIELD(rd_kafka_vu_t, "vu.ptr", u.ptr);
  FIELD(rd_kafka_vu_t, "vu.mem.ptr", u.mem.ptr);
  FIELD(rd_kafka_vu_t, "vu.mem.size", u.mem.size);
  FIELD(rd_kafka_vu_t, "vu.header.name", u.header.name);
  FIELD(rd_kafka_vu_t, "vu.header.val", u.header.val);
  FIELD(rd_kafka_vu_t, "vu.header.size", u.header.size);

  SIZE(rd_kafka_message_t, "message.size");
  FIELD(rd_kafka_message_t, "message.err", err);
  FIELD(rd_kafka_message_t, "message.rkt", rkt);
  FIELD(rd_kafka_message_t, "message.partition", partition);
  FIELD(rd_kafka_message_t, "message.payload", payload);
  FIELD(rd_kafka_message_t, "message.len", len);
  FIELD(rd_kafka_message_t, "message.key", key);
  FIELD(rd_kafka_message_t, "message.key_len", key_len);
  FIELD(rd_kafka_message_t, "message.offset", offset);
  FIELD(rd_kafka_message_t, "message._private", _private);

  SIZE(rd_kafka_topic_partition_t, "topic_partition.size");
  FIELD(rd_kafka_topic_partition_t, "topic_partition.topic", topic);
  FIELD(rd_kafka_topic_partition_t, "topic_partition.partition", partition);
  FIELD(rd_kafka_topic_partition_t, "topic_partition.offset", offset);
  FIELD(rd_kafka_topic_partition_t, "topic_partition.err", err);
  FIELD(rd_kafka_topic_partition_list_t, "topic_partition_list.cnt", cnt);
  FIELD(rd_kafka_topic_partition_list_t, "topic_partition_list.size", size);
  FIELD(rd_kafka_topic_partition_list_t, "topic_partition_list.elems", elems);

  SIZE(struct rd_kafka_err_desc, "err_desc.size");
  FIELD(struct rd_kafka_err_desc, "err_desc.code", code);
  FIELD(struct rd_kafka_err_desc, "err_desc.name", name);
  FIELD(struct rd_kafka_err_desc, "err_desc.desc", desc);

  SIZE(rd_kafka_metadata_broker_t, "metadata_broker.size");
  FIELD(rd_kafka_metadata_broker_t, "metadata_broker.id", id);
  FIELD(rd_kafka_metadata_broker_t, "metadata_broker.host", host);
  FIELD(rd_kafka_metadata_broker_t, "metadata_broker.port", port);
  SIZE(rd_kafka_metadata_partition_t, "metadata_partition.size");
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.id", id);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.err", err);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.leader", leader);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.replica_cnt", replica_cnt);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.replicas", replicas);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.isr_cnt", isr_cnt);
  FIELD(rd_kafka_metadata_partition_t, "metadata_partition.isrs", isrs);
  SIZE(rd_kafka_metadata_topic_t, "metadata_topic.size");
  FIELD(rd_kafka_metadata_topic_t, "metadata_topic.topic", topic);
  FIELD(rd_kafka_metadata_topic_t, "metadata_topic.partition_cnt", partition_cnt);
  FIELD(rd_kafka_metadata_topic_t, "metadata_topic.partitions", partitions);
  FIELD(rd_kafka_metadata_topic_t, "metadata_topic.err", err);
  FIELD(rd_kafka_metadata_t, "metadata.broker_cnt", broker_cnt);
  FIELD(rd_kafka_metadata_t, "metadata.brokers", brokers);
  FIELD(rd_kafka_metadata_t, "metadata.topic_cnt", topic_cnt);
  FIELD(rd_kafka_metadata_t, "metadata.topics", topics);
  FIELD(rd_kafka_metadata_t, "metadata.orig_broker_id", orig_broker_id);
  FIELD(rd_kafka_metadata_t, "metadata.orig_broker_name", orig_broker_name);

  VALUE("vtype.TOPIC", RD_KAFKA_VTYPE_TOPIC);
  VALUE("vtype.PARTITION", RD_KAFKA_VTYPE_PARTITION);
  VALUE("vtype.VALUE", RD_KAFKA_VTYPE_VALUE);
  VALUE("vtype.KEY", RD_KAFKA_VTYPE_KEY);
  VALUE("vtype.OPAQUE", RD_KAFKA_VTYPE_OPAQUE);
  VALUE("vtype.MSGFLAGS", RD_KAFKA_VTYPE_MSGFLAGS);
  VALUE("vtype.TIMESTAMP", RD_KAFKA_VTYPE_TIMESTAMP);
  VALUE("vtype.HEADER", RD_KAFKA_VTYPE_HEADER);
  VALUE("msgflag.COPY", RD_KAFKA_MSG_F_COPY);
  VALUE("event.DR", RD_KAFKA_EVENT_DR);
  VALUE("event.FETCH", RD_KAFKA_EVENT_FETCH);
  VALUE("event.LOG", RD_KAFKA_EVENT_LOG);
  VALUE("event.ERROR", RD_KAFKA_EVENT_ERROR);
  VALUE("event.REBALANCE", RD_KAFKA_EVENT_REBALANCE);
  VALUE("event.OFFSET_COMMIT", RD_KAFKA_EVENT_OFFSET_COMMIT);
  VALUE("event.CREATETOPICS_RESULT", RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  VALUE("event.CREATEPARTITIONS_RESULT", RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
  VALUE("event.LISTOFFSETS_RESULT", RD_KAFKA_EVENT_LISTOFFSETS_RESULT);
  VALUE("event.DESCRIBECLUSTER_RESULT", RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT);
  VALUE("event.DESCRIBETOPICS_RESULT", RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT);
  VALUE("adminOp.ANY", RD_KAFKA_ADMIN_OP_ANY);
  VALUE("isolationLevel.READ_UNCOMMITTED", RD_KAFKA_ISOLATION_LEVEL_READ_UNCOMMITTED);
  VALUE("isolationLevel.READ_COMMITTED", RD_KAFKA_ISOLATION_LEVEL_READ_COMMITTED);
  VALUE("purge.QUEUE", RD_KAFKA_PURGE_F_QUEUE);
  VALUE("purge.INFLIGHT", RD_KAFKA_PURGE_F_INFLIGHT);
  VALUE("clientType.PRODUCER", RD_KAFKA_PRODUCER);
  VALUE("clientType.CONSUMER", RD_KAFKA_CONSUMER);
  VALUE("destroyFlag.NO_CONSUMER_CLOSE", RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  VALUE("conf.OK", RD_KAFKA_CONF_OK);
  VALUE("err.ERR__END", RD_KAFKA_RESP_ERR__END);
  VALUE("err.ERR__TIMED_OUT", RD_KAFKA_RESP_ERR__TIMED_OUT);
  VALUE("err.ERR__STATE", RD_KAFKA_RESP_ERR__STATE);
  VALUE("err.ERR__INVALID_ARG", RD_KAFKA_RESP_ERR__INVALID_ARG);
  VALUE("err.ERR__DESTROY", RD_KAFKA_RESP_ERR__DESTROY);
  VALUE("err.ERR__PARTITION_EOF", RD_KAFKA_RESP_ERR__PARTITION_EOF);
  VALUE("err.ERR__ASSIGN_PARTITIONS", RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS);
  VALUE("err.ERR__REVOKE_PARTITIONS", RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS);
  VALUE("err.ERR__NOENT", RD_KAFKA_RESP_ERR__NOENT);
  VALUE("err.ERR__UNKNOWN_PARTITION", RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
  VALUE("err.ERR__FATAL", RD_KAFKA_RESP_ERR__FATAL);
  VALUE("offset.INVALID", RD_KAFKA_OFFSET_INVALID);
  VALUE("offsetSpec.LATEST", RD_KAFKA_OFFSET_SPEC_LATEST);
  VALUE("offsetSpec.EARLIEST", RD_KAFKA_OFFSET_SPEC_EARLIEST);
  /* The last entry has no trailing comma. */
  printf("  \"pointer.size\": %zu\n}\n", sizeof(void *));
  return 0;
}
