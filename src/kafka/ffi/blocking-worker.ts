// A Bun worker thread for librdkafka calls that wait, since bun:ffi has no call that runs off the
// JS thread:
// - rd_kafka_destroy waits until librdkafka's threads end (a group member's until the coordinator
//   answered or gave up, which can take tens of seconds during an outage);
// - rd_kafka_metadata waits for a broker's answer (the brokers-only reachability check; see
//   FfiClient.askMetadata for why not the admin API's DescribeCluster).
// The client's address is a number valid in every thread of the process. One thread serves both,
// in order, so a client is never freed under a metadata call still using it.
import { dlopen, ptr } from 'bun:ffi';
import { parentPort } from 'node:worker_threads';
import { librdkafkaPath } from './symbols.ts';

export type BlockingRequest = { kind: 'destroy'; id: number; rk: number; flags: number } | { kind: 'metadata'; id: number; rk: number; timeoutMs: number };

/** The answer to a request: for metadata, librdkafka's code and the rd_kafka_metadata_t address (0 if none). */
export interface BlockingReply {
  id: number;
  code: number;
  metadata: number;
}

const { symbols } = dlopen(librdkafkaPath(), {
  rd_kafka_destroy_flags: { args: ['ptr', 'i32'], returns: 'void' },
  rd_kafka_metadata: { args: ['ptr', 'i32', 'ptr', 'ptr', 'i32'], returns: 'i32' },
});

parentPort?.on('message', (request: BlockingRequest) => {
  if (request.kind === 'destroy') {
    symbols.rd_kafka_destroy_flags(request.rk as never, request.flags);
    parentPort?.postMessage({ id: request.id, code: 0, metadata: 0 } satisfies BlockingReply);
    return;
  }
  const out = new BigUint64Array(1);
  const code = symbols.rd_kafka_metadata(request.rk as never, 0, null, ptr(out), request.timeoutMs);
  parentPort?.postMessage({ id: request.id, code, metadata: code === 0 ? Number(out[0]) : 0 } satisfies BlockingReply);
});
