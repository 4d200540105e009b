import { codeError, type KafkaError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import { cstr, keepAlive } from './memory.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

/** A topic partition as the addon takes and gives it; `offset` is absent where librdkafka has none. */
export interface Partition {
  topic: string;
  partition: number;
  offset?: number;
  leaderEpoch?: number;
}

const { topic_partition: tp, topic_partition_list: tpl } = LAYOUT;

/** A new rd_kafka_topic_partition_list_t of `partitions`; the caller destroys it. Offsets left out stay RD_KAFKA_OFFSET_INVALID. */
export function newList({ lib, ffi }: Rdkafka, partitions: readonly Partition[]): Pointer {
  const list = returned(lib.rd_kafka_topic_partition_list_new(Math.max(1, partitions.length)));
  if (!list) throw new Error('rd_kafka_topic_partition_list_new failed');
  for (const p of partitions) {
    const topic = cstr(p.topic);
    lib.rd_kafka_topic_partition_list_add(list, ffi.ptr(topic), p.partition);
    if (p.offset !== undefined && p.offset !== null) lib.rd_kafka_topic_partition_list_set_offset(list, ffi.ptr(topic), p.partition, BigInt(p.offset));
    keepAlive(topic);
  }
  return list;
}

/** Runs `fn` with a list of `partitions`, freeing the list afterwards. */
export function withList<T>(rdkafka: Rdkafka, partitions: readonly Partition[], fn: (list: Pointer) => T): T {
  const list = newList(rdkafka, partitions);
  try {
    return fn(list);
  } finally {
    rdkafka.lib.rd_kafka_topic_partition_list_destroy(list);
  }
}

export interface ListEntry {
  topic: string;
  partition: number;
  offset: number;
  err: number;
  leaderEpoch: number;
}

/** The entries of a list librdkafka owns or the caller frees later. */
export function readList(rdkafka: Rdkafka, list: Pointer): ListEntry[] {
  const { ffi } = rdkafka;
  const count = ffi.read.i32(list, tpl.cnt);
  const elems = ffi.read.ptr(list, tpl.elems);
  return Array.from({ length: count }, (_, i) => readEntry(rdkafka, asPointer(elems + i * tp.size)));
}

/** One rd_kafka_topic_partition_t. */
export function readEntry({ lib, ffi }: Rdkafka, at: Pointer): ListEntry {
  return {
    topic: ffi.CString(asPointer(ffi.read.ptr(at, tp.topic))),
    partition: ffi.read.i32(at, tp.partition),
    offset: Number(ffi.read.i64(at, tp.offset)),
    err: ffi.read.i32(at, tp.err),
    leaderEpoch: lib.rd_kafka_topic_partition_get_leader_epoch(at),
  };
}

/** The addon's form of a result list: offset and leader epoch only where there is one. */
export function toPartitions(entries: readonly ListEntry[]): Partition[] {
  return entries.map(({ topic, partition, offset, leaderEpoch }) => {
    const p: Partition = { topic, partition };
    if (offset !== LAYOUT.offset.INVALID) p.offset = offset;
    if (leaderEpoch >= 0) p.leaderEpoch = leaderEpoch;
    return p;
  });
}

/** The first partition-level error of a list, if any. */
export function firstError(rdkafka: Rdkafka, entries: readonly ListEntry[]): KafkaError | null {
  const failed = entries.find((e) => e.err !== 0);
  return failed ? codeError(rdkafka, failed.err) : null;
}
