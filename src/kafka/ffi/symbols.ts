import type { FFIFunction, Library, Pointer } from 'bun:ffi';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The librdkafka C functions the FFI backend calls. Pointers are `ptr` (a number; 0 is NULL),
 * size_t is `u64` (bun:ffi has no usize), C strings we pass are NUL-terminated byte arrays.
 */
export const definitions = {
  rd_kafka_version_str: { args: [], returns: 'cstring' },
  rd_kafka_get_err_descs: { args: ['ptr', 'ptr'], returns: 'void' },
  rd_kafka_err2str: { args: ['i32'], returns: 'cstring' },

  rd_kafka_conf_new: { args: [], returns: 'ptr' },
  rd_kafka_conf_set: { args: ['ptr', 'ptr', 'ptr', 'ptr', 'u64'], returns: 'i32' },
  rd_kafka_conf_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_conf_set_events: { args: ['ptr', 'i32'], returns: 'void' },

  rd_kafka_new: { args: ['i32', 'ptr', 'ptr', 'u64'], returns: 'ptr' },
  rd_kafka_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_destroy_flags: { args: ['ptr', 'i32'], returns: 'void' },
  rd_kafka_controllerid: { args: ['ptr', 'i32'], returns: 'i32' },
  rd_kafka_set_log_queue: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_outq_len: { args: ['ptr'], returns: 'i32' },
  rd_kafka_flush: { args: ['ptr', 'i32'], returns: 'i32' },
  rd_kafka_purge: { args: ['ptr', 'i32'], returns: 'i32' },
  rd_kafka_fatal_error: { args: ['ptr', 'ptr', 'u64'], returns: 'i32' },
  rd_kafka_test_fatal_error: { args: ['ptr', 'i32', 'ptr'], returns: 'i32' },

  rd_kafka_queue_get_main: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_queue_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_queue_cb_event_enable: { args: ['ptr', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_queue_poll: { args: ['ptr', 'i32'], returns: 'ptr' },
  rd_kafka_queue_yield: { args: ['ptr'], returns: 'void' },

  rd_kafka_produceva: { args: ['ptr', 'ptr', 'u64'], returns: 'ptr' },
  rd_kafka_topic_name: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_topic_new: { args: ['ptr', 'ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_topic_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_message_timestamp: { args: ['ptr', 'ptr'], returns: 'i64' },

  rd_kafka_event_type: { args: ['ptr'], returns: 'i32' },
  rd_kafka_event_message_array: { args: ['ptr', 'ptr', 'u64'], returns: 'u64' },
  rd_kafka_event_error: { args: ['ptr'], returns: 'i32' },
  rd_kafka_event_error_string: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_event_error_is_fatal: { args: ['ptr'], returns: 'i32' },
  rd_kafka_event_log: { args: ['ptr', 'ptr', 'ptr', 'ptr'], returns: 'i32' },
  rd_kafka_event_destroy: { args: ['ptr'], returns: 'void' },

  rd_kafka_error_code: { args: ['ptr'], returns: 'i32' },
  rd_kafka_error_string: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_error_is_fatal: { args: ['ptr'], returns: 'i32' },
  rd_kafka_error_is_retriable: { args: ['ptr'], returns: 'i32' },
  rd_kafka_error_txn_requires_abort: { args: ['ptr'], returns: 'i32' },
  rd_kafka_error_destroy: { args: ['ptr'], returns: 'void' },

  rd_kafka_metadata: { args: ['ptr', 'i32', 'ptr', 'ptr', 'i32'], returns: 'i32' },
  rd_kafka_metadata_destroy: { args: ['ptr'], returns: 'void' },

  rd_kafka_event_opaque: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_AdminOptions_new: { args: ['ptr', 'i32'], returns: 'ptr' },
  rd_kafka_AdminOptions_set_request_timeout: { args: ['ptr', 'i32', 'ptr', 'u64'], returns: 'i32' },
  rd_kafka_AdminOptions_set_operation_timeout: { args: ['ptr', 'i32', 'ptr', 'u64'], returns: 'i32' },
  rd_kafka_AdminOptions_set_opaque: { args: ['ptr', 'ptr'], returns: 'void' },
  rd_kafka_AdminOptions_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_DescribeCluster: { args: ['ptr', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_event_DescribeCluster_result: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_DescribeCluster_result_nodes: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_DescribeCluster_result_controller: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_TopicCollection_of_topic_names: { args: ['ptr', 'u64'], returns: 'ptr' },
  rd_kafka_TopicCollection_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_DescribeTopics: { args: ['ptr', 'ptr', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_event_DescribeTopics_result: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_DescribeTopics_result_topics: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_TopicDescription_name: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_TopicDescription_error: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_TopicDescription_partitions: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_TopicPartitionInfo_partition: { args: ['ptr'], returns: 'i32' },
  rd_kafka_TopicPartitionInfo_leader: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_TopicPartitionInfo_isr: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_TopicPartitionInfo_replicas: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_Node_id: { args: ['ptr'], returns: 'i32' },
  rd_kafka_Node_host: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_Node_port: { args: ['ptr'], returns: 'u16' },
  rd_kafka_NewTopic_new: { args: ['ptr', 'i32', 'i32', 'ptr', 'u64'], returns: 'ptr' },
  rd_kafka_NewTopic_set_config: { args: ['ptr', 'ptr', 'ptr'], returns: 'i32' },
  rd_kafka_NewTopic_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_CreateTopics: { args: ['ptr', 'ptr', 'u64', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_event_CreateTopics_result: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_CreateTopics_result_topics: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_NewPartitions_new: { args: ['ptr', 'u64', 'ptr', 'u64'], returns: 'ptr' },
  rd_kafka_NewPartitions_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_CreatePartitions: { args: ['ptr', 'ptr', 'u64', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_event_CreatePartitions_result: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_CreatePartitions_result_topics: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_topic_result_error: { args: ['ptr'], returns: 'i32' },
  rd_kafka_topic_result_error_string: { args: ['ptr'], returns: 'ptr' },

  rd_kafka_queue_get_consumer: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_queue_new: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_event_message_next: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_event_topic_partition_list: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_event_topic_partition: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_topic_partition_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_topic_partition_list_new: { args: ['i32'], returns: 'ptr' },
  rd_kafka_topic_partition_list_add: { args: ['ptr', 'ptr', 'i32'], returns: 'ptr' },
  rd_kafka_topic_partition_list_set_offset: { args: ['ptr', 'ptr', 'i32', 'i64'], returns: 'i32' },
  rd_kafka_topic_partition_get_leader_epoch: { args: ['ptr'], returns: 'i32' },
  rd_kafka_topic_partition_list_destroy: { args: ['ptr'], returns: 'void' },
  rd_kafka_subscribe: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_unsubscribe: { args: ['ptr'], returns: 'i32' },
  rd_kafka_assign: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_incremental_assign: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_incremental_unassign: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_rebalance_protocol: { args: ['ptr'], returns: 'cstring' },
  rd_kafka_assignment: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_position: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_seek_partitions: { args: ['ptr', 'ptr', 'i32'], returns: 'ptr' },
  rd_kafka_pause_partitions: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_resume_partitions: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_commit: { args: ['ptr', 'ptr', 'i32'], returns: 'i32' },
  rd_kafka_commit_queue: { args: ['ptr', 'ptr', 'ptr', 'ptr', 'ptr'], returns: 'i32' },
  rd_kafka_consumer_close_queue: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_consumer_closed: { args: ['ptr'], returns: 'i32' },
  rd_kafka_message_headers: { args: ['ptr', 'ptr'], returns: 'i32' },
  rd_kafka_header_get_all: { args: ['ptr', 'u64', 'ptr', 'ptr', 'ptr'], returns: 'i32' },
  rd_kafka_message_leader_epoch: { args: ['ptr'], returns: 'i32' },

  rd_kafka_AdminOptions_set_isolation_level: { args: ['ptr', 'i32'], returns: 'ptr' },
  rd_kafka_ListOffsets: { args: ['ptr', 'ptr', 'ptr', 'ptr'], returns: 'void' },
  rd_kafka_event_ListOffsets_result: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_ListOffsets_result_infos: { args: ['ptr', 'ptr'], returns: 'ptr' },
  rd_kafka_ListOffsetsResultInfo_topic_partition: { args: ['ptr'], returns: 'ptr' },

  rd_kafka_init_transactions: { args: ['ptr', 'i32'], returns: 'ptr' },
  rd_kafka_begin_transaction: { args: ['ptr'], returns: 'ptr' },
  rd_kafka_commit_transaction: { args: ['ptr', 'i32'], returns: 'ptr' },
  rd_kafka_abort_transaction: { args: ['ptr', 'i32'], returns: 'ptr' },
} as const satisfies Record<string, FFIFunction>;

export type RdkafkaSymbols = Library<typeof definitions>['symbols'];
export type BunFfi = typeof import('bun:ffi');

/**
 * Reading and addressing native memory: the part of bun:ffi the shared code uses, which the Deno
 * module implements over Deno.UnsafePointer and Deno.UnsafePointerView. Pointers are numbers
 * (0 is NULL) on both runtimes; CString of NULL is ''.
 */
export type NativeMemory = Pick<BunFfi, 'ptr' | 'CString' | 'toArrayBuffer'> & { read: Pick<BunFfi['read'], 'ptr' | 'i32' | 'i64'> };

/**
 * How the JS thread learns that a queue has events: the one thing that differs by runtime
 * (shared/RUNTIMES.md). Bun calls a thread-safe callback when a queue becomes non-empty; on Deno
 * that callback deadlocks (librdkafka calls it holding the queue lock, Deno holds the thread until
 * JS ran, and JS then polls the same queue), so a poll with a timeout runs off the JS thread.
 */
export type QueueWaiting =
  | { kind: 'wake-up'; wakeUp(onNonEmpty: () => void): { ptr: Pointer | null; close(): void } }
  | { kind: 'poll'; poll(queue: Pointer, timeoutMs: number): Promise<Pointer | null> };

/** The loaded library, the helpers that read its memory, and how its queues are waited on. */
export interface Rdkafka {
  lib: RdkafkaSymbols;
  ffi: NativeMemory;
  waiting: QueueWaiting;
  path: string;
  /**
   * rd_kafka_destroy_flags off the JS thread (it waits until librdkafka's threads end); settles
   * once the client is freed.
   */
  destroy(rk: Pointer, flags: number): Promise<void>;
  /**
   * rd_kafka_metadata for the brokers (no topic list) off the JS thread: librdkafka's code and the
   * rd_kafka_metadata_t (the caller frees it), null on an error. Bun only: on Deno the brokers are
   * asked with DescribeCluster (see FfiClient.brokers).
   */
  brokerMetadata?(rk: Pointer, timeoutMs: number): Promise<{ code: number; metadata: Pointer | null }>;
}

/** Opens librdkafka for one runtime: src/kafka/ffi/bun.ts or deno.ts. */
export type OpenRdkafka = () => Promise<Rdkafka>;

/** The librdkafka.so.1 that @confluentinc/kafka-javascript builds: the same build as the Node path. */
export function librdkafkaPath(): string {
  const pkg = fileURLToPath(import.meta.resolve('@confluentinc/kafka-javascript/package.json'));
  return join(dirname(pkg), 'build', 'deps', 'librdkafka.so.1');
}

export type { Pointer };

/** A pointer read out of native memory (bun:ffi's read.ptr gives a plain number). */
export const asPointer = (address: number): Pointer => address as Pointer;

/** A returned pointer as a number, or null for NULL (bun-types allows a bigint; Bun gives numbers). */
export const returned = (value: Pointer | bigint | null): Pointer | null =>
  value === null || value === 0 ? null : typeof value === 'bigint' ? asPointer(Number(value)) : value;
