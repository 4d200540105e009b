/**
 * Byte offsets and sizes of the librdkafka structs the FFI backend reads and writes by hand, and
 * the enum values it passes, for rdkafka.h 2.15.1 on 64-bit Linux. test/unit/ffi-layout.test.ts
 * compiles layout.c against the package's header and fails on any difference, so an upgrade that
 * moves a field cannot corrupt memory silently. Group and field names follow the C names.
 */
export const LAYOUT = {
  /** rd_kafka_vu_t: one argument of rd_kafka_produceva. */
  vu: {
    size: 72,
    vtype: 0,
    i32: 8,
    i64: 8,
    cstr: 8,
    ptr: 8,
    mem: { ptr: 8, size: 16 },
    header: { name: 8, val: 16, size: 24 },
  },
  /** rd_kafka_message_t; `_private` holds the per-message opaque in a delivery report. */
  message: { size: 72, err: 0, rkt: 8, partition: 16, payload: 24, len: 32, key: 40, key_len: 48, offset: 56, _private: 64 },
  topic_partition: { size: 64, topic: 0, partition: 8, offset: 16, err: 48 },
  topic_partition_list: { cnt: 0, size: 4, elems: 8 },
  err_desc: { size: 24, code: 0, name: 8, desc: 16 },
  metadata_broker: { size: 24, id: 0, host: 8, port: 16 },
  metadata_partition: { size: 40, id: 0, err: 4, leader: 8, replica_cnt: 12, replicas: 16, isr_cnt: 24, isrs: 32 },
  metadata_topic: { size: 32, topic: 0, partition_cnt: 8, partitions: 16, err: 24 },
  metadata: { broker_cnt: 0, brokers: 8, topic_cnt: 16, topics: 24, orig_broker_id: 32, orig_broker_name: 40 },
  vtype: { TOPIC: 1, PARTITION: 3, VALUE: 4, KEY: 5, OPAQUE: 6, MSGFLAGS: 7, TIMESTAMP: 8, HEADER: 9 },
  msgflag: { COPY: 2 },
  event: { DR: 1, FETCH: 2, LOG: 4, ERROR: 8, REBALANCE: 16, OFFSET_COMMIT: 32, CREATETOPICS_RESULT: 100, CREATEPARTITIONS_RESULT: 102, LISTOFFSETS_RESULT: 0x400000, DESCRIBECLUSTER_RESULT: 0x200000, DESCRIBETOPICS_RESULT: 0x100000 },
  adminOp: { ANY: 0 },
  isolationLevel: { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 },
  purge: { QUEUE: 1, INFLIGHT: 2 },
  clientType: { PRODUCER: 0, CONSUMER: 1 },
  destroyFlag: { NO_CONSUMER_CLOSE: 8 },
  conf: { OK: 0 },
  err: {
    ERR__END: -100,
    ERR__TIMED_OUT: -185,
    ERR__STATE: -172,
    ERR__INVALID_ARG: -186,
    ERR__DESTROY: -197,
    ERR__PARTITION_EOF: -191,
    ERR__ASSIGN_PARTITIONS: -175,
    ERR__REVOKE_PARTITIONS: -174,
    ERR__NOENT: -156,
    ERR__UNKNOWN_PARTITION: -190,
    ERR__FATAL: -150,
  },
  offset: { INVALID: -1001 },
  /** rd_kafka_OffsetSpec_t: the ends of a partition, for ListOffsets. */
  offsetSpec: { LATEST: -1, EARLIEST: -2 },
  pointer: { size: 8 },
} as const;
