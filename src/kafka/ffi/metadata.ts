import type { Metadata, MetadataOptions } from '../backend.ts';
import { KafkaError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import { cstr, keepAlive } from './memory.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';


const { metadata: md, metadata_broker: mb, metadata_topic: mt, metadata_partition: mp } = LAYOUT;

/**
 * Every topic's metadata (the addon's listTopics and getMetadata without a topic), which
 * librdkafka's admin API cannot ask: rd_kafka_metadata blocks the JS thread up to `timeout`
 * (bun:ffi has no off-thread call). src/kafka no longer asks for it (one topic's metadata and the
 * brokers go through the admin API, cluster.ts); it stays for the port's completeness.
 */
export async function getMetadata(rdkafka: Rdkafka, rk: Pointer, options: MetadataOptions = {}): Promise<Metadata> {
  await Promise.resolve();
  const { lib, ffi } = rdkafka;
  const out = new BigUint64Array(1);
  const name = cstr(options.topic ?? '');
  const rkt = options.topic ? returned(lib.rd_kafka_topic_new(rk, ffi.ptr(name), null)) : null;
  keepAlive(name);
  try {
    const code = lib.rd_kafka_metadata(rk, options.topic ? 0 : 1, rkt, ffi.ptr(out), options.timeout ?? 30_000);
    keepAlive(out);
    if (code !== 0) throw new KafkaError(code, String(lib.rd_kafka_err2str(code)));
  } finally {
    if (rkt) lib.rd_kafka_topic_destroy(rkt);
  }
  const meta = asPointer(Number(out[0]));
  try {
    return readMetadata(rdkafka, meta);
  } finally {
    lib.rd_kafka_metadata_destroy(meta);
  }
}

/** Reads an rd_kafka_metadata_t (the caller frees it). */
export function readMetadata({ ffi }: Rdkafka, meta: Pointer): Metadata {
  const { read, CString } = ffi;
  const int32s = (base: number, count: number) => Array.from({ length: count }, (_, i) => read.i32(asPointer(base), i * 4));
  const brokers = read.ptr(meta, md.brokers);
  const topics = read.ptr(meta, md.topics);
  return {
    orig_broker_id: read.i32(meta, md.orig_broker_id),
    orig_broker_name: CString(asPointer(read.ptr(meta, md.orig_broker_name))),
    brokers: Array.from({ length: read.i32(meta, md.broker_cnt) }, (_, i) => {
      const b = asPointer(brokers + i * mb.size);
      return { id: read.i32(b, mb.id), host: CString(asPointer(read.ptr(b, mb.host))), port: read.i32(b, mb.port) };
    }),
    topics: Array.from({ length: read.i32(meta, md.topic_cnt) }, (_, i) => {
      const t = asPointer(topics + i * mt.size);
      const partitions = read.ptr(t, mt.partitions);
      return {
        name: CString(asPointer(read.ptr(t, mt.topic))),
        partitions: Array.from({ length: read.i32(t, mt.partition_cnt) }, (_, j) => {
          const p = asPointer(partitions + j * mp.size);
          return {
            id: read.i32(p, mp.id),
            leader: read.i32(p, mp.leader),
            replicas: int32s(read.ptr(p, mp.replicas), read.i32(p, mp.replica_cnt)),
            isrs: int32s(read.ptr(p, mp.isrs), read.i32(p, mp.isr_cnt)),
          };
        }),
      };
    }),
  };
}
